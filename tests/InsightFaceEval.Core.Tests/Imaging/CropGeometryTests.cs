using InsightFaceEval.Faces;
using InsightFaceEval.Imaging;
using Xunit;

namespace InsightFaceEval.Tests.Imaging
{
    // Expected values are worked by hand from seed_crop.py's arithmetic (Python ints and IEEE doubles).
    public class CropGeometryTests
    {
        private static PixelRect Crop(double x, double y, double w, double h, int imageWidth, int imageHeight, double e = 0.2)
        {
            Assert.True(CropGeometry.TryRound(x, y, w, h, out var box));
            return CropGeometry.Expand(box, imageWidth, imageHeight, e);
        }

        [Fact]
        public void MarginIsTenPercentEachSideByDefault()
        {
            // dw = int(50 * 0.2 / 2) = 5, dh = int(40 * 0.2 / 2) = 4.
            Assert.Equal(new PixelRect(5, 6, 65, 54), Crop(10, 10, 50, 40, 100, 80));
        }

        [Fact]
        public void ExpandedBoxIsClampedAtTheLeftAndTop()
        {
            // x1 = max(0, 2 - 5) = 0, y1 = max(0, 3 - 4) = 0, x2 = 2 + 50 + 5, y2 = 3 + 40 + 4.
            Assert.Equal(new PixelRect(0, 0, 57, 47), Crop(2, 3, 50, 40, 100, 80));
        }

        [Fact]
        public void ExpandedBoxIsClampedAtTheRightAndBottom()
        {
            // dw = 4, dh = 3: x2 = min(100, 114), y2 = min(80, 93).
            Assert.Equal(new PixelRect(66, 57, 100, 80), Crop(70, 60, 40, 30, 100, 80));
        }

        [Fact]
        public void MarginTruncatesTheDoubleProductLikePython()
        {
            // 100 * 0.58 = 57.99999999999999 in doubles, / 2 = 28.999999999999996, int() = 28 (not 29).
            Assert.Equal(new PixelRect(172, 172, 328, 328), Crop(200, 200, 100, 100, 1000, 1000, 0.58));

            // 15 * 0.2 / 2 = 1.5000000000000002: int() = 1.
            Assert.Equal(new PixelRect(9, 9, 26, 26), Crop(10, 10, 15, 15, 100, 100));
        }

        [Fact]
        public void ZeroExpansionCropsTheBoxItself()
        {
            Assert.Equal(new PixelRect(10, 20, 41, 57), Crop(10, 20, 31, 37, 100, 100, 0));
        }

        [Theory]
        [InlineData(300, 200, 256, 256, 170)]   // scale = 256/300: 200 * 0.8533.. = 170.67 -> 170
        [InlineData(322, 100, 256, 255, 79)]    // 322 * (256/322) = 255.99999999999997 -> 255, as the helper gives
        [InlineData(100, 322, 256, 79, 255)]
        [InlineData(256, 100, 256, 256, 100)]   // longest side equal to MaxSide: not resized
        [InlineData(1000, 999, 0, 1000, 999)]   // MaxSide 0: never resized
        [InlineData(1000, 1, 256, 256, 1)]      // int(1 * 0.256) = 0, kept at 1 (the helper's cv2.resize would fail)
        public void OutputSizeTruncatesLikeTheHelper(int cropWidth, int cropHeight, int maxSide, int width, int height)
        {
            var (w, h, _) = CropGeometry.OutputSize(cropWidth, cropHeight, maxSide);
            Assert.Equal((width, height), (w, h));
        }

        [Fact]
        public void ScaleIsMaxSideOverLongestOrOne()
        {
            Assert.Equal(256.0 / 322, CropGeometry.OutputSize(322, 100, 256).Scale);
            Assert.Equal(1.0, CropGeometry.OutputSize(200, 100, 256).Scale);
        }

        [Fact]
        public void FractionalBoxesRoundEdgeByEdgeHalvesAwayFromZero()
        {
            // left = round(10.5) = 11, right = round(30.7) = 31; top = round(2.4) = 2, bottom = round(11.9) = 12.
            Assert.True(CropGeometry.TryRound(10.5, 2.4, 20.2, 9.5, out var box));
            Assert.Equal(new PixelRect(11, 2, 31, 12), box);
            Assert.True(CropGeometry.TryRound(-0.5, -2.5, 3, 5, out box));
            Assert.Equal(new PixelRect(-1, -3, 3, 3), box);
        }

        [Fact]
        public void WholeNumberBoxesAreUnchanged()
        {
            Assert.True(CropGeometry.TryRound(7, 9, 13, 17, out var box));
            Assert.Equal(new PixelRect(7, 9, 20, 26), box);
        }

        [Theory]
        [InlineData(double.NaN, 0, 10, 10)]
        [InlineData(0, double.PositiveInfinity, 10, 10)]
        [InlineData(0, 0, 1e12, 10)]
        public void NonFiniteOrHugeNumbersAreRefused(double x, double y, double w, double h)
        {
            Assert.False(CropGeometry.TryRound(x, y, w, h, out _));
        }

        [Fact]
        public void OutsideAndVisibleShare()
        {
            var inside = new PixelRect(10, 10, 20, 20);
            var outside = new PixelRect(100, 10, 120, 20);
            var half = new PixelRect(-10, 0, 10, 10);
            Assert.False(CropGeometry.IsOutside(inside, 100, 100));
            Assert.True(CropGeometry.IsOutside(outside, 100, 100));
            Assert.True(CropGeometry.IsOutside(new PixelRect(-20, 0, 0, 10), 100, 100));
            Assert.Equal(0.5, CropGeometry.VisibleFraction(half, 100, 100));
            Assert.Equal(1.0, CropGeometry.VisibleFraction(inside, 100, 100));
        }

        [Fact]
        public void LandmarksMoveIntoCropPixels()
        {
            // Crop [100, 400) x [50, 350) saved at 256x256: factor 256 / 300.
            var mapped = CropGeometry.MapLandmarks(new float[] { 250, 200, 100, 50, 400, 350, 175, 125, 325, 275 }, new PixelRect(100, 50, 400, 350), 256, 256);
            Assert.Equal(128f, mapped[0], 3);
            Assert.Equal(128f, mapped[1], 3);
            Assert.Equal(0f, mapped[2], 3);
            Assert.Equal(0f, mapped[3], 3);
            Assert.Equal(256f, mapped[4], 3);
            Assert.Equal(256f, mapped[5], 3);
            Assert.Null(CropGeometry.MapLandmarks(null, new PixelRect(0, 0, 1, 1), 1, 1));
        }

        [Fact]
        public void SelectionPicksLargestOrTheCentredOneInsightFacePicks()
        {
            // A: area 90000, centre offset (-350, -350): 90000 - 2 * 245000 < 0. B: area 10000, centred.
            var faces = new[] { new FaceDetection(0, 0, 300, 300), new FaceDetection(450, 450, 100, 100), new FaceDetection(900, 900, 50, 50) };
            Assert.Equal(new[] { 0 }, FaceSelectionRule.Apply(faces, FaceSelection.Largest, 1000, 1000));
            Assert.Equal(new[] { 1 }, FaceSelectionRule.Apply(faces, FaceSelection.LargestCentered, 1000, 1000));
            Assert.Equal(new[] { 0, 1, 2 }, FaceSelectionRule.Apply(faces, FaceSelection.All, 1000, 1000));
        }

        [Fact]
        public void CropNamesKeepTheSourceFoldersAndNumberTheFaces()
        {
            Assert.Equal("alice/img1_0.png", CropNaming.RelativeCropPath("alice/img1.jpg", 0));
            Assert.Equal("a/b/photo.2024_3.png", CropNaming.RelativeCropPath("a/b/photo.2024.jpeg", 3));
            Assert.Equal("x_1.png", CropNaming.RelativeCropPath("x.png", 1));
        }

        [Fact]
        public void BoxesComeInFoursInEitherConvention()
        {
            var boxes = FaceDetection.FromFlatList(new double[] { 1, 2, 3, 4, 10, 20, 30, 60 }, BoxFormat.XYXY);
            Assert.Equal(2, boxes.Count);
            Assert.Equal(new double[] { 1, 2, 2, 2 }, boxes[0].ToArray());
            Assert.Equal(new double[] { 10, 20, 20, 40 }, boxes[1].ToArray());
            Assert.Throws<System.FormatException>(() => FaceDetection.FromFlatList(new double[] { 1, 2, 3 }, BoxFormat.XYWH));
            Assert.Throws<System.FormatException>(() => FaceDetection.FromFlatList(new double[] { 1, 2, 3, 4 }, BoxFormat.XYWH, new float[] { 1, 2 }));
        }
    }
}
