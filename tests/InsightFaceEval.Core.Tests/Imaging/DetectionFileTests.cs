using System.IO;
using InsightFaceEval.Imaging;
using Xunit;

namespace InsightFaceEval.Tests.Imaging
{
    public class DetectionFileTests
    {
        private static readonly string Base = Path.Combine(Path.GetTempPath(), "dets");

        [Fact]
        public void MapOfRowsWithScoresAndLandmarks()
        {
            var json = "{ \"alice/1.jpg\": [[10, 20, 110, 140, 0.99], [0, 0, 5, 5, 0.4, 1,2,3,4,5,6,7,8,9,10]], \"bob/2.jpg\": [] }";
            var records = DetectionFile.ParseJson(json, Base, BoxFormat.XYXY);
            Assert.Equal(2, records.Count);
            Assert.Equal(Path.GetFullPath(Path.Combine(Base, "alice/1.jpg")), records[0].ImagePath);
            Assert.Equal(new double[] { 10, 20, 100, 120 }, records[0].Faces[0].ToArray());
            Assert.Equal(0.99f, records[0].Faces[0].Score);
            Assert.Null(records[0].Faces[0].Landmarks);
            Assert.Equal(10f, records[0].Faces[1].Landmarks[9]);
            Assert.Empty(records[1].Faces);
        }

        [Fact]
        public void InsightFaceStyleEntries()
        {
            var json = "[ { \"path\": \"a.jpg\", \"faces\": [ { \"bbox\": [1, 2, 11, 22], \"det_score\": 0.8, \"kps\": [[1,2],[3,4],[5,6],[7,8],[9,10]] } ] }," +
                       "  { \"image\": \"b.jpg\", \"bboxes\": [[0, 0, 10, 10, 0.7]], \"kpss\": [[[1,1],[2,2],[3,3],[4,4],[5,5]]] }," +
                       "  { \"file\": \"a.jpg\", \"bbox\": [5, 5, 6, 6] } ]";
            var records = DetectionFile.ParseJson(json, Base, BoxFormat.XYXY);
            Assert.Equal(2, records.Count);
            Assert.Equal(2, records[0].Faces.Count);
            Assert.Equal(new double[] { 1, 2, 10, 20 }, records[0].Faces[0].ToArray());
            Assert.Equal(0.8f, records[0].Faces[0].Score);
            Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, records[0].Faces[0].Landmarks);
            Assert.Equal(0.7f, records[1].Faces[0].Score);
            Assert.Equal(5f, records[1].Faces[0].Landmarks[9]);
        }

        [Fact]
        public void XywhWhenAsked()
        {
            var records = DetectionFile.ParseJson("{ \"a.png\": [[10, 20, 30, 40]] }", Base, BoxFormat.XYWH);
            Assert.Equal(new double[] { 10, 20, 30, 40 }, records[0].Faces[0].ToArray());
        }

        [Fact]
        public void CsvWithCornersOrSizes()
        {
            var csv = "path,x1,y1,x2,y2,score,landmarks\r\nalice/1.jpg,10,20,110,140,0.9,\"1 2 3 4 5 6 7 8 9 10\"\nalice/1.jpg,0,0,4,4,,\nbob/2.jpg,,,,,,\n";
            var records = DetectionFile.ParseCsv(csv, Base, BoxFormat.XYXY);
            Assert.Equal(2, records.Count);
            Assert.Equal(2, records[0].Faces.Count);
            Assert.Equal(new double[] { 10, 20, 100, 120 }, records[0].Faces[0].ToArray());
            Assert.Equal(0.9f, records[0].Faces[0].Score);
            Assert.Equal(10f, records[0].Faces[0].Landmarks[9]);
            Assert.Null(records[0].Faces[1].Score);
            Assert.Empty(records[1].Faces);

            var sizes = DetectionFile.ParseCsv("Image,X,Y,Width,Height\nc.jpg,1,2,3,4\n", Base, BoxFormat.XYXY);
            Assert.Equal(new double[] { 1, 2, 3, 4 }, sizes[0].Faces[0].ToArray());
        }

        [Theory]
        [InlineData("{ not json")]
        [InlineData("{ \"a.jpg\": [[1, 2, 3]] }")]
        [InlineData("[ { \"faces\": [] } ]")]
        [InlineData("{ \"a.jpg\": [ { \"bbox\": [1,2,3,4], \"kps\": [1,2,3] } ] }")]
        public void BadJsonSaysWhatIsWrong(string json)
        {
            Assert.Throws<System.FormatException>(() => DetectionFile.ParseJson(json, Base, BoxFormat.XYXY));
        }

        [Fact]
        public void CsvWithoutBoxColumnsIsRefused()
        {
            Assert.Throws<System.FormatException>(() => DetectionFile.ParseCsv("path,foo\na.jpg,1\n", Base, BoxFormat.XYXY));
        }
    }
}
