using System;
using InsightFaceEval.Imaging;
using Xunit;

namespace InsightFaceEval.Tests.Imaging
{
    public class AreaResizeTests
    {
        [Fact]
        public void ThreeToTwoWeighsTheSharedPixelByAThird()
        {
            // scale 1.5: out0 = (2 * p0 + p1) / 3, out1 = (p1 + 2 * p2) / 3.
            var result = AreaResize.Resize(new byte[] { 30, 60, 90 }, 3, 1, 1, 2, 1);
            Assert.Equal(new byte[] { 40, 80 }, result);
        }

        [Fact]
        public void HalvingAveragesTwoByTwoBlocksRoundingHalvesUp()
        {
            // OpenCV's 2x2 path computes (a + b + c + d + 2) >> 2: 1.5 -> 2 and 2.5 -> 3.
            var src = new byte[]
            {
                1, 1, 2, 3,
                2, 2, 2, 3,
            };
            Assert.Equal(new byte[] { 2, 3 }, AreaResize.Resize(src, 4, 2, 1, 2, 1));
        }

        [Fact]
        public void IntegerFactorsAverageTheBlock()
        {
            var src = new byte[9 * 3];
            for (var i = 0; i < 9; i++)
            {
                src[i * 3] = (byte)i;          // mean 4
                src[(i * 3) + 1] = 100;
                src[(i * 3) + 2] = (byte)(i * 10); // mean 40
            }

            Assert.Equal(new byte[] { 4, 100, 40 }, AreaResize.Resize(src, 3, 3, 3, 1, 1));
        }

        [Fact]
        public void AFlatImageStaysFlat()
        {
            var src = new byte[37 * 23 * 3];
            for (var i = 0; i < src.Length; i++) { src[i] = 173; }
            var result = AreaResize.Resize(src, 37, 23, 3, 11, 7);
            Assert.All(result, v => Assert.Equal(173, v));
        }

        [Fact]
        public void TheSameSizeIsACopyAndGrowingIsRefused()
        {
            var src = new byte[] { 1, 2, 3, 4 };
            var copy = AreaResize.Resize(src, 2, 2, 1, 2, 2);
            Assert.Equal(src, copy);
            Assert.NotSame(src, copy);
            Assert.Throws<ArgumentOutOfRangeException>(() => AreaResize.Resize(src, 2, 2, 1, 3, 2));
        }
    }
}
