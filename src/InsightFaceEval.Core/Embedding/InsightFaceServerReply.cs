using System;
using System.Collections.Generic;
using System.Text.Json;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// The replies of InsightFace Server's <c>POST /v1/embeddings</c>, read from the contract in the public InsightFace
    /// repository (deepinsight/insightface): <c>server/docs/openapi.snapshot.json</c> (schemas <c>EmbeddingsResponse</c>,
    /// <c>FaceObservation</c>, <c>ModelSummary</c>, <c>ErrorEnvelope</c>, <c>ErrorBody</c>) and <c>server/docs/api.md</c>
    /// ("Errors", "POST /v1/embeddings"). A success is
    /// <c>{"faces": [{"bbox", "landmarks", "detection_score", "quality", "embedding": [...]}], "model": {"model_id",
    /// "model_version", ...}, "processing_ms": n, "request_id": "uuid"}</c> with one face and its L2-normalised embedding;
    /// an error is <c>{"error": {"code", "message", "details"}, "request_id": "uuid"}</c>.
    /// </summary>
    public sealed class InsightFaceServerReply
    {
        private InsightFaceServerReply(float[] embedding, int faces, string modelId, double? processingMs, string requestId)
        {
            Embedding = embedding;
            FaceCount = faces;
            ModelId = modelId;
            ProcessingMs = processingMs;
            RequestId = requestId;
        }

        /// <summary>The first face's embedding, read as numpy would (double, then float32); empty when no face carries one.</summary>
        public float[] Embedding { get; }

        /// <summary>Items in <c>faces</c> (the contract promises one).</summary>
        public int FaceCount { get; }

        /// <summary><c>model.model_id</c>: the server's model bundle (e.g. buffalo_l), or null.</summary>
        public string ModelId { get; }

        /// <summary><c>processing_ms</c>: the server's own time for the request, when it sent one.</summary>
        public double? ProcessingMs { get; }

        /// <summary><c>request_id</c>: the server's correlation id (also its <c>x-request-id</c> header).</summary>
        public string RequestId { get; }

        /// <summary>
        /// Reads a 200 body. Throws <see cref="FormatException"/> with a reason fit for a user, and
        /// <see cref="ReplyTooLargeException"/> for an embedding longer than <see cref="ReplyLimits.MaxDimension"/>.
        /// </summary>
        public static InsightFaceServerReply Parse(byte[] body)
        {
            if (body == null || body.Length == 0) { throw new FormatException("The reply was empty."); }
            try
            {
                using (var doc = JsonDocument.Parse(body))
                {
                    var root = doc.RootElement;
                    if (root.ValueKind != JsonValueKind.Object) { throw new FormatException("The reply is not a JSON object."); }
                    if (!root.TryGetProperty("faces", out var faces)) { throw new FormatException("The reply has no 'faces'."); }
                    if (faces.ValueKind != JsonValueKind.Array) { throw new FormatException("The reply's faces is not a list."); }
                    var embedding = Array.Empty<float>();
                    var count = faces.GetArrayLength();
                    if (count > 0)
                    {
                        var face = faces[0];
                        if (face.ValueKind != JsonValueKind.Object) { throw new FormatException("The reply's first face is not a JSON object."); }
                        if (face.TryGetProperty("embedding", out var values) && values.ValueKind != JsonValueKind.Null)
                        {
                            embedding = ReadEmbedding(values);
                        }
                    }

                    string modelId = null;
                    if (root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.Object
                        && model.TryGetProperty("model_id", out var id))
                    {
                        modelId = id.ValueKind == JsonValueKind.String ? id.GetString()
                            : id.ValueKind == JsonValueKind.Null ? null
                            : throw new FormatException("The reply's model.model_id is not a string.");
                    }

                    double? processing = root.TryGetProperty("processing_ms", out var ms) && ms.ValueKind == JsonValueKind.Number ? ms.GetDouble() : (double?)null;
                    return new InsightFaceServerReply(embedding, count, modelId, processing, RequestIdOf(root));
                }
            }
            catch (JsonException ex)
            {
                throw new FormatException($"The reply is not valid JSON ({ex.Message.Split('\n')[0].Trim()}).");
            }
        }

        private static float[] ReadEmbedding(JsonElement values)
        {
            if (values.ValueKind != JsonValueKind.Array) { throw new FormatException("The reply's embedding is not a list."); }
            var length = values.GetArrayLength();
            if (length > ReplyLimits.MaxDimension)
            {
                throw new ReplyTooLargeException($"The reply's embedding holds more than {ReplyLimits.MaxDimension} values, more than any face model gives; it was refused.");
            }

            var result = new float[length];
            var i = 0;
            foreach (var value in values.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Number)
                {
                    throw new FormatException($"The reply's embedding holds a {value.ValueKind.ToString().ToLowerInvariant()} at position {i}; it must hold numbers only.");
                }

                // The text of the number, read as Python reads it, then rounded to float32 as numpy does.
                var f = (float)JsonNumber.ToDouble(System.Text.Encoding.UTF8.GetBytes(value.GetRawText()));
                if (float.IsNaN(f) || float.IsInfinity(f)) { throw new FormatException($"The reply's embedding value at position {i} is not a finite float32."); }
                result[i++] = f;
            }

            return result;
        }

        /// <summary>The <c>request_id</c> of any reply body, or null.</summary>
        internal static string RequestIdOf(JsonElement root) =>
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty("request_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
    }

    /// <summary>An error envelope: <c>{"error": {"code", "message", "details"}, "request_id"}</c>; empty when the body is not one.</summary>
    public sealed class InsightFaceServerError
    {
        private InsightFaceServerError(string code, string message, string requestId)
        {
            Code = code;
            Message = message;
            RequestId = requestId;
        }

        /// <summary>The machine-readable code (<c>face_not_found</c>, <c>request_timeout</c>, <c>unauthorized</c>, ...), or null.</summary>
        public string Code { get; }

        /// <summary>The server's message, unscrubbed (the caller scrubs it before showing it), or null.</summary>
        public string Message { get; }

        public string RequestId { get; }

        /// <summary>Reads an error body; a body that is not the envelope (a proxy's page, nothing) gives all nulls.</summary>
        public static InsightFaceServerError Parse(byte[] body)
        {
            if (body == null || body.Length == 0 || body.Length > 64 * 1024) { return new InsightFaceServerError(null, null, null); }
            try
            {
                using (var doc = JsonDocument.Parse(body))
                {
                    var root = doc.RootElement;
                    string code = null, message = null;
                    if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                    {
                        code = StringOf(error, "code");
                        message = StringOf(error, "message");
                    }

                    return new InsightFaceServerError(code, message, InsightFaceServerReply.RequestIdOf(root));
                }
            }
            catch (JsonException)
            {
                return new InsightFaceServerError(null, null, null);
            }
        }

        private static string StringOf(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
