using System;
using System.IO;
using System.Text;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    public class NpyFileTests
    {
        [Fact]
        public void WritesNumpysHeaderAndLittleEndianFloat32()
        {
            var bytes = NpyFile.Serialize(new[] { 1f, -2.5f });

            // What np.save(f, np.asarray([1, -2.5], dtype=np.float32)) writes: a 128-byte header, then the data.
            var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
            var expected = new byte[128 + 8];
            new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 }.CopyTo(expected, 0);
            var text = header + new string(' ', 117 - header.Length) + "\n";
            Encoding.ASCII.GetBytes(text).CopyTo(expected, 10);
            BitConverter.GetBytes(1f).CopyTo(expected, 128);
            BitConverter.GetBytes(-2.5f).CopyTo(expected, 132);
            Assert.Equal(expected, bytes);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(512)]
        [InlineData(1024)]
        [InlineData(123456)]
        public void HeaderIsAlways128BytesForOneVector(int length)
        {
            var bytes = NpyFile.Serialize(new float[length]);
            Assert.Equal(128 + (length * 4), bytes.Length);
            Assert.Equal((byte)'\n', bytes[127]);
            Assert.Equal(new float[length], NpyFile.Parse(bytes));
        }

        [Fact]
        public void AlternatingLengthsEachGetTheirOwnShape()
        {
            // The header of the last length is reused; a different length must never inherit its shape.
            var a = NpyFile.Serialize(new[] { 1f, 2f, 3f });
            var b = NpyFile.Serialize(new float[512]);
            var c = NpyFile.Serialize(new[] { 1f, 2f, 3f });
            Assert.Equal(a, c);
            Assert.Contains("'shape': (3,)", System.Text.Encoding.ASCII.GetString(a, 0, 128));
            Assert.Contains("'shape': (512,)", System.Text.Encoding.ASCII.GetString(b, 0, 128));
            Assert.Equal(new[] { 1f, 2f, 3f }, NpyFile.Parse(c));
            Assert.Equal(512, NpyFile.Parse(b).Length);
        }

        [Fact]
        public void ReadsFloat64BigEndianAndLaterFormatVersions()
        {
            var values = new[] { 0.25, -1.0 / 3.0, 1e-3 };
            var expected = Array.ConvertAll(values, v => (float)v);

            Assert.Equal(expected, NpyFile.Parse(Build(1, "<f8", "(3,)", values, bigEndian: false, doubles: true)));
            Assert.Equal(expected, NpyFile.Parse(Build(1, ">f8", "(3,)", values, bigEndian: true, doubles: true)));
            Assert.Equal(expected, NpyFile.Parse(Build(1, ">f4", "(3,)", values, bigEndian: true, doubles: false)));
            Assert.Equal(expected, NpyFile.Parse(Build(2, "<f4", "(3,)", values, bigEndian: false, doubles: false)));
            Assert.Equal(expected, NpyFile.Parse(Build(3, "<f4", "(1, 3)", values, bigEndian: false, doubles: false)));
        }

        [Theory]
        [InlineData("<i4", "(3,)", "stores '<i4' values")]
        [InlineData("<f4", "(2, 3)", "shape (2, 3)")]
        [InlineData("<f4", "(1, 1, 3)", "shape (1, 1, 3)")]
        public void RefusesWhatIsNotOneFloatVector(string descr, string shape, string reason)
        {
            var bytes = Build(1, descr, shape, new double[6], bigEndian: false, doubles: false);
            var ex = Assert.Throws<InvalidDataException>(() => NpyFile.Parse(bytes, "x.npy"));
            Assert.Contains(reason, ex.Message);
        }

        [Fact]
        public void RefusesTruncatedAndForeignFiles()
        {
            var bytes = NpyFile.Serialize(new float[16]);
            Assert.Throws<InvalidDataException>(() => NpyFile.Parse(bytes.AsSpan(0, bytes.Length - 4).ToArray()));
            Assert.Throws<InvalidDataException>(() => NpyFile.Parse(Encoding.ASCII.GetBytes("\x89PNG\r\n\x1a\n not numpy")));
        }

        private static byte[] Build(int version, string descr, string shape, double[] values, bool bigEndian, bool doubles)
        {
            var header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
            var prefix = version == 1 ? 10 : 12;
            var total = prefix + header.Length + 1;
            var pad = (64 - (total % 64)) % 64;
            var text = header + new string(' ', pad) + "\n";
            var ms = new MemoryStream();
            ms.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0 });
            if (version == 1) { ms.Write(BitConverter.GetBytes((ushort)text.Length)); }
            else { ms.Write(BitConverter.GetBytes((uint)text.Length)); }
            ms.Write(version == 3 ? Encoding.UTF8.GetBytes(text) : Encoding.ASCII.GetBytes(text));
            foreach (var v in values)
            {
                var b = doubles ? BitConverter.GetBytes(v) : BitConverter.GetBytes((float)v);
                if (bigEndian) { Array.Reverse(b); }
                ms.Write(b);
            }

            return ms.ToArray();
        }
    }
}
