using System;
using System.IO;
using System.Linq;
using InsightFaceEval.Faces;
using InsightFaceEval.Imaging;
using Xunit;

namespace InsightFaceEval.Tests
{
    public class IdentityMapTests
    {
        private static readonly string Base = Path.Combine(Path.GetTempPath(), "idmap-tests", "maps");

        private static IdentityMap Map(string csv) => IdentityMap.Parse(csv, Base, Path.Combine(Base, "ids.csv"));

        [Fact]
        public void RelativePathsStartAtTheCsvFolderAndMatchByFullPathFirst()
        {
            var photos = Path.Combine(Path.GetTempPath(), "idmap-tests", "photos");
            var map = Map("path,identity\n../photos/a.jpg,alice\nb.jpg,bob\n");
            Assert.Equal("alice", map.Find(Path.Combine(photos, "a.jpg"), "somewhere/else.jpg"));
            Assert.Equal(Path.GetFullPath(Path.Combine(photos, "a.jpg")), map.Entries[0].FullPath);

            // Not at the CSV's folder: a relative row still matches the input's dataset-relative path.
            Assert.Equal("bob", map.Find(Path.Combine(photos, "b.jpg"), "./b.jpg"));
            Assert.Equal("bob", map.Find(null, "b.jpg"));
            Assert.Null(map.Find(Path.Combine(photos, "c.jpg"), "c.jpg"));

            // A recorded path that is no valid path still matches by its relative path.
            Assert.Equal("bob", map.Find("bad\0path", "b.jpg"));
        }

        [Fact]
        public void SubfolderKeysMatchWhicheverSeparatorTheInputUses()
        {
            var map = Map("path,identity\r\nset1\\a.png,alice\r\n");
            Assert.Equal("alice", map.Find("/elsewhere/set1/a.png", "set1/a.png"));
            Assert.Null(map.Find("/elsewhere/set2/a.png", "set2/a.png"));
        }

        [Fact]
        public void AbsolutePathsMatchOnlyByFullPath()
        {
            var absolute = Path.Combine(Path.GetTempPath(), "idmap-tests", "abs", "a.jpg");
            var map = Map("path,identity\n\"" + absolute + "\",\"Smith, Alice\"\n");
            Assert.Equal("Smith, Alice", map.Find(absolute, "a.jpg"));
            Assert.Null(map.Find(Path.Combine(Base, "a.jpg"), "a.jpg"));
        }

        [Fact]
        public void BoxRowsNameOneFaceByOverlapAndTolerateDrift()
        {
            var map = Map("path,identity,x,y,width,height\ng.jpg,alice,100,100,50,60\ng.jpg,bob,300,100,50,60\ng.jpg,crowd,,,,\n");
            var photo = Path.Combine(Base, "g.jpg");
            Assert.Equal("alice", map.Find(photo, "g.jpg", new FaceDetection(103, 97, 52, 61)));
            Assert.Equal("bob", map.Find(photo, "g.jpg", new FaceDetection(298, 104, 49, 58)));

            // Overlapping a row's box by less than IoU 0.5: the image's row without a box.
            Assert.True(IdentityMap.Overlap(new FaceDetection(100, 100, 50, 60), new FaceDetection(130, 100, 50, 60)) < IdentityMap.MinimumOverlap);
            Assert.Equal("crowd", map.Find(photo, "g.jpg", new FaceDetection(130, 100, 50, 60)));

            // An input without a box (a crop, an embedding) takes only a row without a box.
            Assert.Equal("crowd", map.Find(photo, "g.jpg"));
        }

        [Fact]
        public void AFaceNoBoxRowOverlapsIsNotMappedWhenTheImageHasNoPlainRow()
        {
            var map = Map("path,identity,x,y,width,height\ng.jpg,alice,100,100,50,60\n");
            Assert.Null(map.Find(Path.Combine(Base, "g.jpg"), "g.jpg", new FaceDetection(400, 400, 50, 60)));
            Assert.Null(map.Find(Path.Combine(Base, "g.jpg"), "g.jpg"));
            Assert.Equal(0, IdentityMap.Overlap(new FaceDetection(0, 0, 10, 10), new FaceDetection(10, 0, 10, 10)));
            Assert.Equal(1.0, IdentityMap.Overlap(new FaceDetection(5, 5, 10, 10), new FaceDetection(5, 5, 10, 10)), 12);
        }

        [Fact]
        public void RowsNoInputMatchedAreCountedForOneWarning()
        {
            var map = Map("path,identity\na.jpg,alice\nb.jpg,bob\nc.jpg,carol\nd.jpg,dave\ne.jpg,eve\n");
            Assert.Equal("alice", map.Find(null, "a.jpg"));
            Assert.Equal(4, map.Unused().Count);
            var message = map.UnusedMessage();
            Assert.StartsWith("4 of the 5 rows of the identity map 'ids.csv' matched no input, among them 'b.jpg' (line 3)", message);
            foreach (var name in new[] { "b.jpg", "c.jpg", "d.jpg", "e.jpg" }) { map.Find(null, name); }
            Assert.Null(map.UnusedMessage());
        }

        [Fact]
        public void AnImageListedTwiceWithTwoIdentitiesIsAnErrorInTheFile()
        {
            var ex = Assert.Throws<FormatException>(() => Map("path,identity\na.jpg,alice\nb.jpg,bob\n./a.jpg,carol\n"));
            Assert.Contains("line 4", ex.Message);
            Assert.Contains("'alice' on line 2", ex.Message);

            // The same identity twice is harmless: one row.
            Assert.Single(Map("path,identity\na.jpg,alice\na.jpg,alice\n").Entries);
        }

        [Theory]
        [InlineData("", "empty")]
        [InlineData("file,name\na.jpg,alice\n", "needs the columns 'path' and 'identity'")]
        [InlineData("path,identity\n,alice\n", "line 2: the path is empty")]
        [InlineData("path,identity\na.jpg,\n", "'a.jpg' has no identity")]
        [InlineData("path,identity,x,y\na.jpg,alice,1,2\n", "all four columns")]
        [InlineData("path,identity,x,y,width,height\na.jpg,alice,1,2,wide,4\n", "'wide' is not a number")]
        [InlineData("path,identity,x,y,width,height\na.jpg,alice,1,2,0,4\n", "positive width and height")]
        public void MalformedMapsSayWhatIsWrong(string csv, string expected)
        {
            var ex = Assert.Throws<FormatException>(() => Map(csv));
            Assert.Contains(expected, ex.Message);
        }

        [Fact]
        public void HeaderNamesAreCaseInsensitiveAndExtraColumnsAreIgnored()
        {
            var map = Map("\uFEFFPath,Note,Identity\na.jpg,\"left, smiling\",alice\n");
            Assert.Equal("alice", map.Find(null, "a.jpg"));
        }

        [Fact]
        public void LoadReadsAFileAndTakesPathsFromItsFolder()
        {
            var folder = Path.Combine(Path.GetTempPath(), "idmap-load-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                var csv = Path.Combine(folder, "identities.csv");
                File.WriteAllText(csv, "path,identity\nphotos/a.jpg,alice\n");
                var map = IdentityMap.Load(csv);
                Assert.Equal(csv, map.Source);
                Assert.Equal("alice", map.Find(Path.Combine(folder, "photos", "a.jpg"), null));
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }
    }
}
