using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using InsightFaceEval.Faces;
using InsightFaceEval.IO;

namespace InsightFaceEval.Onnx
{
    /// <summary>
    /// Reads node names straight from an ONNX file (ONNX Runtime does not expose them): ModelProto field 7 is the graph,
    /// GraphProto field 1 its nodes in order, NodeProto field 3 a node's name. Weights and other fields are skipped by
    /// seeking, so a large model is not read into memory.
    /// </summary>
    internal static class OnnxGraphNodes
    {
        /// <summary>The names of the first <paramref name="count"/> nodes of the model's graph ("" for an unnamed node).</summary>
        public static IReadOnlyList<string> FirstNames(string path, int count)
        {
            var names = new List<string>();
            using (var stream = SharedFile.OpenRead(path, 1 << 16))
            {
                var end = stream.Length;
                while (stream.Position < end && names.Count < count)
                {
                    ReadKey(stream, out var field, out var wire);
                    if (field == 7 && wire == 2)
                    {
                        // The length first: the end is counted from after it.
                        var graphLength = (long)ReadVarint(stream);
                        var graphEnd = stream.Position + graphLength;
                        while (stream.Position < graphEnd && names.Count < count)
                        {
                            ReadKey(stream, out var gField, out var gWire);
                            if (gField == 1 && gWire == 2)
                            {
                                var nodeLength = (long)ReadVarint(stream);
                                var nodeEnd = stream.Position + nodeLength;
                                names.Add(NodeName(stream, nodeEnd));
                                stream.Position = nodeEnd;
                            }
                            else
                            {
                                Skip(stream, gWire);
                            }
                        }

                        break;
                    }

                    Skip(stream, wire);
                }
            }

            return names;
        }

        /// <summary>
        /// InsightFace's rule for an ArcFace ONNX model's input (its ArcFaceONNX class): a graph whose first eight nodes
        /// include a subtraction ('Sub...' or MXNet's '_minus...') and a multiplication ('Mul...' or '_mul...') normalises
        /// its input itself and takes raw pixels (mean 0, std 1); any other takes (x - 127.5) / 127.5. RGB either way.
        /// </summary>
        public static PixelNormalization ArcFaceNormalization(string path, out string reason)
        {
            var names = FirstNames(path, 8);
            bool sub = false, mul = false;
            foreach (var name in names)
            {
                sub |= name.StartsWith("Sub", StringComparison.Ordinal) || name.StartsWith("_minus", StringComparison.Ordinal);
                mul |= name.StartsWith("Mul", StringComparison.Ordinal) || name.StartsWith("_mul", StringComparison.Ordinal);
            }

            if (sub && mul)
            {
                reason = "its graph normalises its input itself (a subtraction and a multiplication among its first nodes), as InsightFace detects it";
                return PixelNormalization.RawPixels;
            }

            reason = "InsightFace's rule for ArcFace models whose graph does not normalise its input";
            return PixelNormalization.InsightFace;
        }

        private static string NodeName(Stream stream, long end)
        {
            var name = string.Empty;
            while (stream.Position < end)
            {
                ReadKey(stream, out var field, out var wire);
                if (field == 3 && wire == 2)
                {
                    var length = (int)ReadVarint(stream);
                    var bytes = new byte[length];
                    ReadExactly(stream, bytes);
                    name = Encoding.UTF8.GetString(bytes);
                }
                else
                {
                    Skip(stream, wire);
                }
            }

            return name;
        }

        private static void ReadKey(Stream stream, out int field, out int wire)
        {
            var key = ReadVarint(stream);
            field = (int)(key >> 3);
            wire = (int)(key & 7);
        }

        private static void Skip(Stream stream, int wire)
        {
            switch (wire)
            {
                case 0: ReadVarint(stream); break;
                case 1: stream.Position += 8; break;
                case 2: var length = (long)ReadVarint(stream); stream.Position += length; break;
                case 5: stream.Position += 4; break;
                default: throw new InvalidDataException($"Not an ONNX protobuf: wire type {wire}.");
            }
        }

        private static ulong ReadVarint(Stream stream)
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = stream.ReadByte();
                if (b < 0) { throw new InvalidDataException("Not an ONNX protobuf: it ends inside a number."); }
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) { return value; }
            }

            throw new InvalidDataException("Not an ONNX protobuf: a number is too long.");
        }

        private static void ReadExactly(Stream stream, byte[] buffer)
        {
            var read = 0;
            while (read < buffer.Length)
            {
                var n = stream.Read(buffer, read, buffer.Length - read);
                if (n <= 0) { throw new InvalidDataException("Not an ONNX protobuf: it ends inside a name."); }
                read += n;
            }
        }
    }
}
