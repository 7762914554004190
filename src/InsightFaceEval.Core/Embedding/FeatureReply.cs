using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text.Json;

namespace InsightFaceEval.Embedding
{
    /// <summary>A reply of the hosted protocol: <c>{"model_name": "...", "feature": [...]}</c>.</summary>
    public sealed class FeatureReply
    {
        public FeatureReply(string modelName, float[] feature)
            : this(modelName, feature, 0)
        {
        }

        /// <param name="faceCount">Faces the detector found in the crop, when the source says (local models); 0 when unknown.</param>
        public FeatureReply(string modelName, float[] feature, int faceCount)
        {
            ModelName = modelName;
            Feature = feature ?? throw new ArgumentNullException(nameof(feature));
            FaceCount = faceCount;
        }

        /// <summary>
        /// How many faces the detector found in the crop (one of them was embedded), when the source reports it: the
        /// local engine does, the hosted protocol does not (0, unknown).
        /// </summary>
        public int FaceCount { get; }

        /// <summary>The model name the server put in its reply (null when it sent none).</summary>
        public string ModelName { get; }

        /// <summary>The feature as numpy would hold it: each JSON number read as a double, then rounded to float32.</summary>
        public float[] Feature { get; }

        public override string ToString() => $"{ModelName}: [{Feature.Length}]";

        /// <summary>
        /// Parses a reply body. Throws <see cref="FormatException"/> with a reason fit for a user, and its
        /// <see cref="ReplyTooLargeException"/> for a feature longer than <see cref="ReplyLimits.MaxDimension"/>.
        /// </summary>
        public static FeatureReply Parse(byte[] body)
        {
            if (body == null || body.Length == 0) { throw new FormatException("The reply was empty."); }
            try
            {
                return ParseCore(body);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"The reply is not valid JSON ({ex.Message.Split('\n')[0].Trim()}).");
            }
        }

        private static FeatureReply ParseCore(byte[] body)
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException("The reply is not a JSON object.");
            }

            string modelName = null;
            List<float> feature = null;
            var featureSeen = false;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject) { break; }
                if (reader.TokenType != JsonTokenType.PropertyName) { throw new FormatException("The reply is not a JSON object."); }
                if (reader.ValueTextEquals("feature"))
                {
                    reader.Read();
                    featureSeen = true;
                    feature = ReadFeature(ref reader);
                }
                else if (reader.ValueTextEquals("model_name"))
                {
                    reader.Read();
                    modelName = reader.TokenType == JsonTokenType.String ? reader.GetString()
                        : reader.TokenType == JsonTokenType.Null ? null
                        : throw new FormatException("The reply's model_name is not a string.");
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Utf8JsonReader rejects trailing garbage only when asked to read past the object.
            while (reader.Read()) { throw new FormatException("The reply has data after its JSON object."); }
            if (!featureSeen) { throw new FormatException("The reply has no 'feature'."); }
            if (feature == null) { throw new FormatException("The reply's feature is not a list."); }
            return new FeatureReply(modelName, feature.ToArray());
        }

        private static List<float> ReadFeature(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.Null) { return null; }
            if (reader.TokenType != JsonTokenType.StartArray) { throw new FormatException("The reply's feature is not a list."); }
            var values = new List<float>(1024);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Number)
                {
                    throw new FormatException($"The reply's feature holds a {Describe(reader.TokenType)} at position {values.Count}; it must hold numbers only.");
                }

                var value = (float)JsonNumber.ToDouble(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                if (float.IsNaN(value) || float.IsInfinity(value))
                {
                    throw new FormatException($"The reply's feature value at position {values.Count} is not a finite float32.");
                }

                if (values.Count >= ReplyLimits.MaxDimension)
                {
                    throw new ReplyTooLargeException($"The reply's feature holds more than {ReplyLimits.MaxDimension} values, more than any face model gives; it was refused.");
                }

                values.Add(value);
            }

            return values;
        }

        private static string Describe(JsonTokenType token)
        {
            switch (token)
            {
                case JsonTokenType.String: return "string";
                case JsonTokenType.StartArray: return "list";
                case JsonTokenType.StartObject: return "object";
                case JsonTokenType.Null: return "null";
                case JsonTokenType.True:
                case JsonTokenType.False: return "boolean";
                default: return token.ToString();
            }
        }
    }
}
