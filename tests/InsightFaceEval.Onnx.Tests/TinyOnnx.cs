using System.Collections.Generic;
using System.IO;
using System.Text;

namespace InsightFaceEval.Tests.Onnx
{
    /// <summary>
    /// Writes small ONNX models (protobuf, by hand) for tests that need a shape the sample package lacks:
    /// a free batch dimension, or inputs that fit no role.
    /// </summary>
    internal static class TinyOnnx
    {
        /// <summary>A dimension: a number, or null for a free (named) one.</summary>
        public sealed class Tensor
        {
            public Tensor(string name, params long?[] dims) { Name = name; Dims = dims; }

            public string Name { get; }

            public long?[] Dims { get; }
        }

        /// <summary>A model of single-input operators applied in a chain: input -> op1 -> op2 -> ... -> output.</summary>
        public static byte[] Chain(Tensor input, Tensor output, params string[] operators)
        {
            var graph = new List<byte>();
            var previous = input.Name;
            for (var i = 0; i < operators.Length; i++)
            {
                var next = i == operators.Length - 1 ? output.Name : "t" + i;
                var node = new List<byte>();
                node.AddRange(Text(1, previous));
                node.AddRange(Text(2, next));
                node.AddRange(Text(3, "n" + i));
                node.AddRange(Text(4, operators[i]));
                graph.AddRange(Message(1, node));
                previous = next;
            }

            graph.AddRange(Text(2, "tiny"));
            graph.AddRange(Message(11, ValueInfo(input)));
            graph.AddRange(Message(12, ValueInfo(output)));

            var model = new List<byte>();
            model.AddRange(Varint(1, 7)); // IR version 7
            model.AddRange(Text(2, "InsightFaceEval tests"));
            model.AddRange(Message(7, graph));
            var opset = new List<byte>();
            opset.AddRange(Text(1, string.Empty));
            opset.AddRange(Varint(2, 13));
            model.AddRange(Message(8, opset));
            return model.ToArray();
        }

        public static string Save(byte[] model, string name)
        {
            var path = Path.Combine(Path.GetTempPath(), "InsightFaceEval.Tests", name);
            Directory.CreateDirectory(Path.GetDirectoryName(path));
            File.WriteAllBytes(path, model);
            return path;
        }

        private static List<byte> ValueInfo(Tensor tensor)
        {
            var shape = new List<byte>();
            foreach (var d in tensor.Dims)
            {
                shape.AddRange(Message(1, d.HasValue ? Varint(1, (ulong)d.Value) : Text(2, "N")));
            }

            var tensorType = new List<byte>();
            tensorType.AddRange(Varint(1, 1)); // FLOAT
            tensorType.AddRange(Message(2, shape));
            var info = new List<byte>();
            info.AddRange(Text(1, tensor.Name));
            info.AddRange(Message(2, Message(1, tensorType)));
            return info;
        }

        private static List<byte> Varint(int field, ulong value)
        {
            var bytes = Key(field, 0);
            bytes.AddRange(RawVarint(value));
            return bytes;
        }

        private static List<byte> Text(int field, string value) => Message(field, new List<byte>(Encoding.UTF8.GetBytes(value)));

        private static List<byte> Message(int field, List<byte> payload)
        {
            var bytes = Key(field, 2);
            bytes.AddRange(RawVarint((ulong)payload.Count));
            bytes.AddRange(payload);
            return bytes;
        }

        private static List<byte> Key(int field, int wireType) => RawVarint((ulong)((field << 3) | wireType));

        private static List<byte> RawVarint(ulong value)
        {
            var bytes = new List<byte>();
            do
            {
                var b = (byte)(value & 0x7F);
                value >>= 7;
                if (value != 0) { b |= 0x80; }
                bytes.Add(b);
            }
            while (value != 0);
            return bytes;
        }
    }
}
