using System;
using System.Runtime.CompilerServices;

namespace InsightFaceEval.Imaging
{
    // Entropy decoding for JpegRegionDecoder: Huffman tables and the bit reader.

    /// <summary>One Huffman table of a baseline JPEG, with 9-bit lookup tables for short codes.</summary>
    internal sealed class JpegHuffmanTable
    {
        public readonly int[] MaxCode = new int[18];
        public readonly int[] ValOffset = new int[17];
        public readonly byte[] Values = new byte[256];
        public readonly short[] Lookup = new short[512]; // (length << 8) | value for codes of up to 9 bits, else 0

        // For AC tables: codes whose symbol and extra bits fit in 9 bits, decoded whole:
        // (coefficient << 16) | (run << 8) | total length; 0 when not so short.
        public readonly int[] FastAc = new int[512];

        internal static bool Build(JpegHuffmanTable t, int[] counts)
        {
            var code = 0;
            var k = 0;
            for (var length = 1; length <= 16; length++)
            {
                t.ValOffset[length] = k - code;
                if (counts[length] > 0)
                {
                    for (var i = 0; i < counts[length]; i++)
                    {
                        if (length <= 9)
                        {
                            var shift = 9 - length;
                            var first = code << shift;
                            for (var j = 0; j < (1 << shift); j++)
                            {
                                if (first + j >= 512) { return false; }
                                t.Lookup[first + j] = (short)((length << 8) | t.Values[k]);
                            }
                        }

                        code++;
                        k++;
                    }

                    t.MaxCode[length] = code - 1;
                }
                else
                {
                    t.MaxCode[length] = -1;
                }

                if (code > (1 << length)) { return false; }
                code <<= 1;
            }

            t.MaxCode[17] = int.MaxValue;

            for (var i = 0; i < 512; i++)
            {
                var entry = t.Lookup[i];
                if (entry == 0) { continue; }
                var length = entry >> 8;
                var rs = entry & 0xFF;
                var run = rs >> 4;
                var size = rs & 15;
                if (size == 0 || length + size > 9) { continue; }
                var bits = (i >> (9 - length - size)) & ((1 << size) - 1);
                t.FastAc[i] = (JpegBitReader.Extend(bits, size) << 16) | (run << 8) | (length + size);
            }

            return true;
        }
    }

    /// <summary>Reads entropy-coded bits: 0xFF00 is a data 0xFF; a marker ends the data (then zeros).</summary>
    internal struct JpegBitReader
    {
        private readonly byte[] _d;
        private int _pos;
        private ulong _buffer;
        private int _count;
        private bool _atMarker;

        public JpegBitReader(byte[] data, int start)
        {
            _d = data;
            _pos = start;
            _buffer = 0;
            _count = 0;
            _atMarker = false;
            _phantom = 0;
        }

        /// <summary>
        /// True when bits past the end of the data were used (truncated or corrupt). The zeros stand at the
        /// end of the buffer, so this holds from the moment it happens until the next restart.
        /// </summary>
        public bool Damaged => _phantom > 0 && _count < _phantom;

        [MethodImpl(JpegRegionDecoder.Hot)]
        private void Fill()
        {
            // Fast path: the next whole bytes that fit hold no 0xFF, so they are plain data.
            if (!_atMarker && _pos + 8 <= _d.Length)
            {
                var v = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(new ReadOnlySpan<byte>(_d, _pos, 8));
                var n = (64 - _count) >> 3;
                var window = n == 8 ? ulong.MaxValue : ~(ulong.MaxValue >> (n * 8));
                var x = ~v;
                var ff = (x - 0x0101010101010101UL) & ~x & 0x8080808080808080UL;
                if ((ff & window) == 0)
                {
                    _buffer |= (v & window) >> _count;
                    _count += n * 8;
                    _pos += n;
                    return;
                }
            }

            while (_count <= 56)
            {
                uint b = 0;
                var real = false;
                if (!_atMarker && _pos < _d.Length)
                {
                    b = _d[_pos];
                    if (b != 0xFF)
                    {
                        _pos++;
                        real = true;
                    }
                    else if (_pos + 1 < _d.Length && _d[_pos + 1] == 0x00)
                    {
                        _pos += 2;
                        real = true;
                    }
                    else
                    {
                        _atMarker = true;
                        b = 0;
                    }
                }

                // Past the data the buffer fills with zeros; using any of them means the scan ended early.
                if (!real) { _phantom += 8; }
                _buffer |= (ulong)b << (56 - _count);
                _count += 8;
            }
        }

        private int _phantom;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Peek9()
        {
            if (_count < 16) { Fill(); }
            return (int)(_buffer >> 55);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Skip(int n)
        {
            _buffer <<= n;
            _count -= n;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Bits(int n)
        {
            if (_count < n) { Fill(); }
            var v = (int)(_buffer >> (64 - n));
            _buffer <<= n;
            _count -= n;
            return v;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Decode(JpegHuffmanTable t)
        {
            if (_count < 16) { Fill(); }
            var entry = t.Lookup[(int)(_buffer >> 55)];
            if (entry != 0)
            {
                var length = entry >> 8;
                _buffer <<= length;
                _count -= length;
                return entry & 0xFF;
            }

            var code = (int)(_buffer >> 54);
            var l = 10;
            while (code > t.MaxCode[l])
            {
                l++;
                if (l > 16) { return -1; }
                code = (int)(_buffer >> (64 - l));
            }

            _buffer <<= l;
            _count -= l;
            return t.Values[(code + t.ValOffset[l]) & 0xFF];
        }

        /// <summary>Skips to the expected restart marker, dropping the rest of the byte.</summary>
        public bool Restart(int n)
        {
            _buffer = 0;
            _count = 0;
            _phantom = 0;
            if (!_atMarker)
            {
                while (_pos + 1 < _d.Length && !(_d[_pos] == 0xFF && _d[_pos + 1] != 0x00 && _d[_pos + 1] != 0xFF)) { _pos++; }
            }

            while (_pos + 1 < _d.Length && _d[_pos] == 0xFF && _d[_pos + 1] == 0xFF) { _pos++; }
            if (_pos + 1 >= _d.Length || _d[_pos] != 0xFF || _d[_pos + 1] != 0xD0 + n) { return false; }
            _pos += 2;
            _atMarker = false;
            return true;
        }

        /// <summary>JPEG's EXTEND: the signed value of the <paramref name="s"/>-bit magnitude <paramref name="v"/>.</summary>
        internal static int Extend(int v, int s) => v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
    }
}
