using System;

namespace InsightFaceEval.Imaging
{
    // Marker parsing for JpegRegionDecoder: frame, tables and scan header; what the decoder declines.
    internal sealed partial class JpegRegionDecoder
    {
        private static JpegRegionDecoder Parse(byte[] d)
        {
            if (d.Length < 4 || d[0] != 0xFF || d[1] != 0xD8) { return null; }
            var pos = 2;
            JpegRegionDecoder decoder = null;
            var quant = new int[4][];
            var dc = new JpegHuffmanTable[4];
            var ac = new JpegHuffmanTable[4];
            var restart = 0;
            bool jfif = false, adobe = false;
            var adobeTransform = -1;
            while (pos + 4 <= d.Length)
            {
                if (d[pos] != 0xFF) { return null; }
                var marker = d[pos + 1];
                if (marker == 0xFF) { pos++; continue; }
                pos += 2;
                if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { continue; }
                if (marker == 0xD9) { return null; }
                var length = (d[pos] << 8) | d[pos + 1];
                var end = pos + length;
                if (length < 2 || end > d.Length) { return null; }
                var p = pos + 2;
                switch (marker)
                {
                    case 0xC0:
                    case 0xC1:
                        {
                            if (decoder != null || d[p] != 8) { return null; }
                            var height = (d[p + 1] << 8) | d[p + 2];
                            var width = (d[p + 3] << 8) | d[p + 4];
                            var n = d[p + 5];
                            if (height == 0 || width == 0 || (n != 1 && n != 3)) { return null; }
                            var comps = new Component[n];
                            for (var i = 0; i < n; i++)
                            {
                                var q = p + 6 + (i * 3);
                                comps[i] = new Component { Id = d[q], H = d[q + 1] >> 4, V = d[q + 1] & 15, Tq = d[q + 2] };
                                if (comps[i].H < 1 || comps[i].V < 1 || comps[i].H > 4 || comps[i].V > 4 || comps[i].Tq > 3) { return null; }
                            }

                            decoder = new JpegRegionDecoder(d, comps) { Width = width, Height = height };
                            break;
                        }

                    case 0xC4:
                        while (p < end)
                        {
                            var tc = d[p] >> 4;
                            var th = d[p] & 15;
                            if (tc > 1 || th > 3) { return null; }
                            var table = new JpegHuffmanTable();
                            var counts = new int[17];
                            var total = 0;
                            for (var i = 1; i <= 16; i++) { counts[i] = d[p + i]; total += counts[i]; }
                            if (total > 256 || p + 17 + total > end) { return null; }
                            Array.Copy(d, p + 17, table.Values, 0, total);
                            if (!JpegHuffmanTable.Build(table, counts)) { return null; }
                            (tc == 0 ? dc : ac)[th] = table;
                            p += 17 + total;
                        }

                        break;
                    case 0xDB:
                        while (p < end)
                        {
                            var pq = d[p] >> 4;
                            var tq = d[p] & 15;
                            if (pq > 1 || tq > 3) { return null; }
                            var table = new int[64];
                            p++;
                            for (var i = 0; i < 64; i++)
                            {
                                table[ZigZag[i]] = pq == 0 ? d[p + i] : (d[p + (2 * i)] << 8) | d[p + (2 * i) + 1];
                            }

                            quant[tq] = table;
                            p += pq == 0 ? 64 : 128;
                        }

                        break;
                    case 0xDD:
                        restart = (d[p] << 8) | d[p + 1];
                        break;
                    case 0xE0:
                        if (length >= 7 && d[p] == 'J' && d[p + 1] == 'F' && d[p + 2] == 'I' && d[p + 3] == 'F' && d[p + 4] == 0) { jfif = true; }
                        break;
                    case 0xEE:
                        if (length >= 14 && d[p] == 'A' && d[p + 1] == 'd' && d[p + 2] == 'o' && d[p + 3] == 'b' && d[p + 4] == 'e')
                        {
                            adobe = true;
                            adobeTransform = d[p + 11];
                        }

                        break;
                    case 0xDA:
                        {
                            if (decoder == null) { return null; }
                            var ns = d[p];
                            if (ns != decoder._components.Length) { return null; }
                            for (var i = 0; i < ns; i++)
                            {
                                var id = d[p + 1 + (i * 2)];
                                var tables = d[p + 2 + (i * 2)];
                                var comp = Array.Find(decoder._components, c => c.Id == id);
                                if (comp == null || comp != decoder._components[i]) { return null; }
                                comp.Td = tables >> 4;
                                comp.Ta = tables & 15;
                                if (comp.Td > 3 || comp.Ta > 3 || dc[comp.Td] == null || ac[comp.Ta] == null || quant[comp.Tq] == null) { return null; }
                            }

                            var q = p + 1 + (ns * 2);
                            if (d[q] != 0 || d[q + 1] != 63 || d[q + 2] != 0) { return null; }
                            decoder._scanStart = end;
                            decoder._restartInterval = restart;
                            Array.Copy(quant, decoder._quant, 4);
                            Array.Copy(dc, decoder._dcTables, 4);
                            Array.Copy(ac, decoder._acTables, 4);
                            return decoder.Prepare(jfif, adobe, adobeTransform) ? decoder : null;
                        }

                    default:
                        // Progressive, lossless, hierarchical and arithmetic-coded frames, DNL, and anything unknown.
                        if ((marker >= 0xC2 && marker <= 0xCF) || marker == 0xDC) { return null; }
                        break;
                }

                pos = end;
            }

            return null;
        }

        private bool Prepare(bool jfif, bool adobe, int adobeTransform)
        {
            var comps = _components;
            if (comps.Length == 3)
            {
                // libjpeg's colour-space guess (jdapimin.c): only YCbCr is decoded here.
                if (!jfif && adobe && adobeTransform == 0) { return false; }
                if (!jfif && !adobe && comps[0].Id == 'R' && comps[1].Id == 'G' && comps[2].Id == 'B') { return false; }
                if (comps[1].H != 1 || comps[1].V != 1 || comps[2].H != 1 || comps[2].V != 1) { return false; }
                var h = comps[0].H;
                var v = comps[0].V;
                if (!((h == 1 && v == 1) || (h == 2 && v == 1) || (h == 2 && v == 2))) { return false; }
                _hmax = h;
                _vmax = v;
            }
            else
            {
                // One component: one block per MCU, whatever the declared factors.
                comps[0].H = comps[0].V = 1;
            }

            foreach (var c in comps)
            {
                c.DownWidth = (int)(((long)Width * c.H + _hmax - 1) / _hmax);
                c.DownHeight = (int)(((long)Height * c.V + _vmax - 1) / _vmax);

                // libjpeg uses plain replication, not the triangle filter, for chroma only two samples wide.
                if ((c.H < _hmax) && c.DownWidth <= 2) { return false; }
            }

            return true;
        }
    }
}
