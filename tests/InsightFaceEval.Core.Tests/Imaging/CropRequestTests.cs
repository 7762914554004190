using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InsightFaceEval.Faces;
using InsightFaceEval.Imaging;
using Xunit;

namespace InsightFaceEval.Tests.Imaging
{
    public class CropRequestTests
    {
        private static readonly string Root = Path.Combine(Path.GetTempPath(), "crop-request-tests", "photos");

        private static string Photo(string relative) => Path.GetFullPath(Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar)));

        private static CropRecordBoxes Box(double x, float? score = null) => new CropRecordBoxes { BoundingBox = new[] { x, 10, 20, 20 }, Score = score };

        private static List<CropJob> Ready(CropRequest request)
        {
            var jobs = new List<CropJob>();
            while (request.TryTakeReady(out var job)) { jobs.Add(job); }
            return jobs;
        }

        private static FaceCrop Crop(string path) =>
            new FaceCrop(path, Photo("alice/1.jpg"), "alice/1_0.png", "alice", 0, new double[] { 1, 2, 3, 4 }, new[] { 0, 0, 3, 4 }, 3, 4, 1.0, null, null);

        [Fact]
        public void WithARootConsecutiveRecordsOfAnImageStreamAsOneJobAndAReturningImageGoesOnNumbering()
        {
            var request = new CropRequest(Root);
            Assert.Empty(request.Add(new[] { Photo("alice/1.jpg") }, Box(1)));
            Assert.Empty(request.Add(new[] { Photo("alice/1.jpg") }, Box(2)));
            Assert.Empty(Ready(request)); // the image may still get faces
            request.Add(new[] { Photo("bob/1.jpg") }, Box(3));
            var first = Assert.Single(Ready(request));
            Assert.Equal(Photo("alice/1.jpg"), first.SourcePath);
            Assert.Equal("alice/1.jpg", first.RelativeSource);
            Assert.Equal("alice", first.Identity);
            Assert.Equal(new[] { 1.0, 2.0 }, first.Faces.Select(f => f.X));
            Assert.Equal(0, first.FirstFaceIndex);

            request.Add(new[] { Photo("alice/1.jpg") }, Box(4));
            request.Complete();
            var rest = Ready(request);
            Assert.Equal(new[] { "bob/1.jpg", "alice/1.jpg" }, rest.Select(j => j.RelativeSource));
            Assert.Equal(2, rest[1].FirstFaceIndex); // its faces 0 and 1 were cropped already: no name repeats
            Assert.Equal(-1, request.Total);
            Assert.Equal(Root, request.DatasetRoot);
        }

        [Fact]
        public void WithoutARootEveryImageWaitsForTheCommonParentAndItsRecordsBecomeOneJob()
        {
            var request = new CropRequest(null);
            request.Add(new[] { Photo("alice/1.jpg"), Photo("bob/2.jpg") }, Box(1));
            request.Add(new[] { Photo("alice/1.jpg") }, Box(2));
            request.AddImage(Photo("carol/3.jpg"), new[] { new FaceDetection(5, 5, 9, 9) });
            Assert.Empty(Ready(request));
            Assert.Equal(-1, request.Total);
            Assert.Null(request.DatasetRoot);

            request.Complete();
            var jobs = Ready(request);
            Assert.Equal(Root, request.DatasetRoot);
            Assert.Equal(3, request.Total);
            Assert.Equal(new[] { "alice/1.jpg", "bob/2.jpg", "carol/3.jpg" }, jobs.Select(j => j.RelativeSource));
            Assert.Equal(new[] { 1.0, 2.0 }, jobs[0].Faces.Select(f => f.X)); // both records of alice/1.jpg, so a face selection sees both
            Assert.All(jobs, j => Assert.Equal(0, j.FirstFaceIndex));
        }

        [Fact]
        public void ABoxComesFromTheListThenTheCornersThenPositionAndSize()
        {
            var both = new CropRecordBoxes { BoundingBox = new double[] { 1, 2, 3, 4 }, X1 = 10, Y1 = 10, X2 = 20, Y2 = 20, Landmarks = Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), Score = 0.5f };
            var face = Assert.Single(both.ToFaces());
            Assert.Equal(new double[] { 1, 2, 3, 4 }, face.ToArray());
            Assert.Equal(0.5f, face.Score);
            Assert.Equal(9f, face.Landmarks[9]);
            Assert.Equal(new double[] { 10, 10, 10, 10 }, Assert.Single(new CropRecordBoxes { X1 = 10, Y1 = 10, X2 = 20, Y2 = 20, X = 1, Y = 1, Width = 1, Height = 1 }.ToFaces()).ToArray());
            Assert.Equal(new double[] { 1, 2, 3, 4 }, Assert.Single(new CropRecordBoxes { X = 1, Y = 2, Width = 3, Height = 4 }.ToFaces()).ToArray());
            Assert.Equal(new double[] { 1, 2, 2, 2 }, Assert.Single(new CropRecordBoxes { BoundingBox = new double[] { 1, 2, 3, 4 }, BoxFormat = BoxFormat.XYXY }.ToFaces()).ToArray());
            Assert.Empty(new CropRecordBoxes().ToFaces());
        }

        [Fact]
        public void NumbersThatMakeNoBoxAreAnInvalidBoxProblemForEachFileAndNothingIsQueued()
        {
            var request = new CropRequest(Root);
            var files = new[] { Photo("alice/1.jpg"), Photo("alice/2.jpg") };
            foreach (var bad in new[] { new CropRecordBoxes { X1 = 1, Y1 = 2, X2 = 3 }, new CropRecordBoxes { X = 1 }, new CropRecordBoxes { BoundingBox = new double[] { 1, 2, 3 } } })
            {
                var problems = request.Add(files, bad);
                Assert.Equal(files, problems.Select(p => (string)p.Target));
                Assert.All(problems, p =>
                {
                    Assert.Equal("InvalidBox", p.Id);
                    Assert.Equal(ProblemCategory.InvalidArgument, p.Category);
                    Assert.IsType<ArgumentException>(p.Exception);
                    Assert.IsType<FormatException>(p.Exception.InnerException);
                    Assert.False(p.Terminating);
                });
            }

            Assert.Empty(request.Add(Array.Empty<string>(), new CropRecordBoxes { X = 1 }));
            request.Complete();
            Assert.Empty(Ready(request));
        }

        [Fact]
        public void AFileClaimedTwiceInOneRunIsADuplicateOutputAboutTheSecondSource()
        {
            var request = new CropRequest(Root, null, PathStyle.Windows);
            Assert.Null(request.ClaimOutput(Crop(@"C:\crops\alice\1_0.png"), Photo("alice/1.jpg")));
            var problem = request.ClaimOutput(Crop(@"c:\CROPS\alice\1_0.png"), Photo("alice/1.png"));
            Assert.Equal("DuplicateOutput", problem.Id);
            Assert.Equal(ProblemCategory.ResourceExists, problem.Category);
            Assert.IsType<IOException>(problem.Exception);
            Assert.Equal(Photo("alice/1.png"), problem.Target);

            var unix = new CropRequest(Root, null, PathStyle.Unix);
            Assert.Null(unix.ClaimOutput(Crop("/crops/a_0.png"), "x"));
            Assert.Null(unix.ClaimOutput(Crop("/crops/A_0.png"), "y"));
            Assert.NotNull(unix.ClaimOutput(Crop("/crops/a_0.png"), "z"));
        }

        [Fact]
        public void AnIdentityMapNamesEachFaceByItsBox()
        {
            var map = IdentityMap.Parse("path,identity,x,y,width,height\nalice/1.jpg,alice,1,10,20,20\nalice/1.jpg,bob,40,10,20,20\n", Root, Path.Combine(Root, "ids.csv"));
            var request = new CropRequest(Root, map);
            request.Add(new[] { Photo("alice/1.jpg") }, new CropRecordBoxes { BoundingBox = new double[] { 40, 10, 20, 20, 1, 10, 20, 20, 300, 300, 20, 20 } });
            request.Complete();
            Assert.Equal(new[] { "bob", "alice", null }, Assert.Single(Ready(request)).FaceIdentities);
        }
    }
}
