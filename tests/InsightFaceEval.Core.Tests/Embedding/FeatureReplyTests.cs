using System;
using System.Text;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    public class FeatureReplyTests
    {
        [Fact]
        public void ReadsModelNameAndFeatureAsFloat32OfTheDouble()
        {
            var reply = FeatureReply.Parse(Encoding.UTF8.GetBytes("{\"model_name\": \"dingo\", \"extra\": {\"a\": [1]}, \"feature\": [0.1, -2, 3e-1, 0.30000000000000004]}"));
            Assert.Equal("dingo", reply.ModelName);
            Assert.Equal(new[] { (float)0.1, -2f, (float)0.3, (float)0.30000000000000004 }, reply.Feature);
        }

        [Fact]
        public void AnEmptyFeatureIsAFailureToAcquireNotAnError()
        {
            var reply = FeatureReply.Parse(Encoding.UTF8.GetBytes("{\"model_name\":\"eagle\",\"feature\":[]}"));
            Assert.Empty(reply.Feature);
        }

        [Theory]
        [InlineData("{\"model_name\": \"dingo\", \"feature\": [0.0123, -0.04", "not valid JSON")]
        [InlineData("{\"model_name\": \"dingo\"}", "no 'feature'")]
        [InlineData("{\"feature\": \"0.1,0.2\"}", "not a list")]
        [InlineData("{\"feature\": null}", "not a list")]
        [InlineData("{\"feature\": [0.1, \"0.2\"]}", "string at position 1")]
        [InlineData("{\"feature\": [0.1, [0.2]]}", "list at position 1")]
        [InlineData("{\"feature\": [0.1, 1e999]}", "not a finite float32")]
        [InlineData("{\"feature\": [0.1, 1e39]}", "not a finite float32")]
        [InlineData("{\"feature\": [NaN]}", "not valid JSON")]
        [InlineData("[0.1, 0.2]", "not a JSON object")]
        [InlineData("{\"feature\": [0.1]} trailing", "not valid JSON")]
        [InlineData("", "empty")]
        public void ExplainsWhatIsWrongWithABrokenReply(string body, string reason)
        {
            var ex = Assert.Throws<FormatException>(() => FeatureReply.Parse(Encoding.UTF8.GetBytes(body)));
            Assert.Contains(reason, ex.Message);
        }
    }
}
