using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace InsightFaceEval.Tests
{
    /// <summary>What stays in the cmdlet assembly: binding, ShouldProcess and the shape of error records.</summary>
    public class CmdletContractTests
    {
        [Fact]
        public void AProblemBecomesAnErrorRecordWithItsIdCategoryTargetExceptionAndAdvice()
        {
            var cause = new FileNotFoundException("'a.png' does not exist.", "a.png");
            var record = ProblemRecords.ToErrorRecord(
                new Problem("FileNotFound", ProblemCategory.ObjectNotFound, cause, "a.png", recommendedAction: "Check the path."), "GetFaceEmbedding");

            Assert.Equal("GetFaceEmbeddingFileNotFound", record.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, record.CategoryInfo.Category);
            Assert.Equal("a.png", record.TargetObject);
            Assert.Same(cause, record.Exception);
            Assert.Equal("Check the path.", record.ErrorDetails.RecommendedAction);

            var plain = ProblemRecords.ToErrorRecord(new Problem("X", ProblemCategory.LimitsExceeded, new InvalidDataException("too big"), null), "P");
            Assert.Null(plain.ErrorDetails);
            Assert.Equal(ErrorCategory.LimitsExceeded, plain.CategoryInfo.Category);
        }

        [Fact]
        public void EveryProblemCategoryKeepsItsNameAsAnErrorCategory()
        {
            foreach (ProblemCategory category in Enum.GetValues(typeof(ProblemCategory)))
            {
                var record = ProblemRecords.ToErrorRecord(new Problem("X", category, new Exception("m"), null), "P");
                Assert.Equal(category.ToString(), record.CategoryInfo.Category.ToString());
            }

            Assert.Equal(Enum.GetNames(typeof(ErrorCategory)), Enum.GetNames(typeof(ProblemCategory)));
        }

        [Fact]
        public void AMissingFileIsANonTerminatingErrorNamingTheFileAndThePipelineGoesOn()
        {
            using (var host = new CmdletHost())
            {
                var (output, errors) = host.Invoke(
                    "'one.npy', 'two.npy' | ForEach-Object { Import-FaceEmbedding -LiteralPath $_ -Model m }; 'after'");
                Assert.Equal(new[] { "after" }, output.Select(o => o.BaseObject).ToArray());
                Assert.Equal(2, errors.Count);
                Assert.All(errors, e =>
                {
                    Assert.Equal("ImportFaceEmbeddingFileNotFound,InsightFaceEval.Commands.ImportFaceEmbeddingCommand", e.FullyQualifiedErrorId);
                    Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
                    Assert.IsType<FileNotFoundException>(e.Exception);
                });
                Assert.Equal(new[] { "one.npy", "two.npy" }, errors.Select(e => Path.GetFileName((string)e.TargetObject)).ToArray());
            }
        }

        [Fact]
        public void WhatIfSendsNothingAndWritesNoStoreWhereTheRealRunWouldReachForTheEndpoint()
        {
            using (var host = new CmdletHost())
            {
                var photos = Path.Combine(host.Directory, "photos", "alice");
                Directory.CreateDirectory(photos);
                File.WriteAllBytes(Path.Combine(photos, "1.png"), TinyPng);
                File.WriteAllBytes(Path.Combine(photos, "2.png"), TinyPng);

                // Nothing listens on port 9: a request fails with EndpointUnreachable. (The "What if:" plan itself goes
                // to the host's UI, which a bare runspace does not have; the Pester tests read it.)
                const string Command = "Get-ChildItem photos -Recurse -File | Get-FaceEmbedding -Model dingo -ServerUrl http://127.0.0.1:9/extract -OutputDirectory store -MaximumRetryCount 0 -TimeoutSec 2";
                var (planned, planErrors) = host.Invoke(Command + " -WhatIf");
                Assert.Empty(planned);
                Assert.Empty(planErrors);
                Assert.False(Directory.Exists(Path.Combine(host.Directory, "store")));

                ErrorRecord record;
                try { record = host.Invoke(Command).Errors.FirstOrDefault(); }
                catch (RuntimeException ex) { record = ex.ErrorRecord; }
                Assert.NotNull(record);
                Assert.StartsWith("GetFaceEmbeddingEndpointUnreachable", record.FullyQualifiedErrorId);
                Assert.DoesNotContain("127.0.0.1", record.ToString());
            }
        }

        [Fact]
        public void TheEndpointAndALocalModelCannotBeAskedForAtOnce()
        {
            using (var host = new CmdletHost())
            {
                var (_, errors) = host.Invoke("Get-FaceEmbedding -Path . -Model dingo -ServerUrl http://127.0.0.1:9/x -ModelPath a.onnx");
                var error = Assert.Single(errors);
                Assert.IsType<ParameterBindingException>(error.Exception);
                Assert.StartsWith("AmbiguousParameterSet,", error.FullyQualifiedErrorId);
            }
        }

        // A 1x1 PNG (the planner counts files; nothing decodes them under -WhatIf).
        private static readonly byte[] TinyPng = Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC");
    }
}
