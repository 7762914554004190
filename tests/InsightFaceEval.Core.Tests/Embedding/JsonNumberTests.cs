using System;
using System.Globalization;
using System.Text;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    public class JsonNumberTests
    {
        [Theory]
        [InlineData("0")]
        [InlineData("-0.0")]
        [InlineData("1")]
        [InlineData("0.1")]
        [InlineData("-0.020059159402552477")]
        [InlineData("1.2E-05")]
        [InlineData("1e22")]
        [InlineData("1e23")]
        [InlineData("9007199254740993")]
        [InlineData("2.2250738585072011e-308")]
        [InlineData("4.9406564584124654e-324")]
        [InlineData("2.4703282292062328e-324")]
        [InlineData("1.7976931348623157e308")]
        [InlineData("1.7976931348623159e308")]
        [InlineData("0.000000000000000000000000000000000000000000001")]
        [InlineData("123456789012345678901234567890e-40")]
        [InlineData("1e400")]
        [InlineData("1e-400")]
        public void MatchesTheRuntimesCorrectlyRoundedParser(string text)
        {
            var expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(JsonNumber.ParseExact(Encoding.ASCII.GetBytes(text))));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(JsonNumber.ToDouble(Encoding.ASCII.GetBytes(text))));
        }

        [Fact]
        public void MatchesOnManyRandomLongNumbers()
        {
            // .NET Framework's parser is not always correctly rounded; ours must be, so it is checked against .NET's here.
            var random = new Random(1234);
            for (var i = 0; i < 20000; i++)
            {
                var digits = new StringBuilder();
                var count = 1 + random.Next(40);
                for (var d = 0; d < count; d++) { digits.Append((char)('0' + random.Next(10))); }
                var text = (random.Next(2) == 0 ? "-" : string.Empty) + "0." + digits + "e" + (random.Next(80) - 60);
                var expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                var actual = JsonNumber.ParseExact(Encoding.ASCII.GetBytes(text));
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), text);
            }
        }

        [Fact]
        public void NearTiesShowWhyDoublesComeBeforeFloat32()
        {
            // A decimal just past the midpoint of two float32s: read as a double it IS the midpoint, which rounds to
            // the even float32 (numpy's answer); rounded straight to float32 it goes to the outer one. Both can occur.
            var differ = 0;
            var random = new Random(5);
            for (var i = 0; i < 200; i++)
            {
                var f = (float)(random.NextDouble() - 0.5);
                var outer = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(Math.Abs(f)) + 1);
                var midpoint = ((double)Math.Abs(f) + outer) / 2;
                var text = (f < 0 ? "-" : string.Empty) + midpoint.ToString("F60", CultureInfo.InvariantCulture).TrimEnd('0') + "0000001";
                var numpyWay = (float)JsonNumber.ParseExact(Encoding.ASCII.GetBytes(text));
                var direct = float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                Assert.Equal(0, BitConverter.SingleToInt32Bits(numpyWay) & 1); // ties go to even
                if (BitConverter.SingleToInt32Bits(numpyWay) != BitConverter.SingleToInt32Bits(direct)) { differ++; }
            }

            Assert.InRange(differ, 50, 150);
        }

        [Theory]
        [InlineData("")]
        [InlineData("-")]
        [InlineData("1e")]
        [InlineData("1.2.3")]
        [InlineData("abc")]
        public void RefusesWhatIsNotANumber(string text)
        {
            Assert.Throws<FormatException>(() => JsonNumber.ParseExact(Encoding.ASCII.GetBytes(text)));
        }
    }
}
