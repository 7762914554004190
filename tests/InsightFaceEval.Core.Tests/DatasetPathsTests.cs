using System.IO;
using Xunit;

namespace InsightFaceEval.Tests
{
    public class DatasetPathsTests
    {
        [Fact]
        public void RelativeKeysUseForwardSlashesBelowTheRoot()
        {
            var root = Path.Combine(Path.GetTempPath(), "ds");
            var file = Path.Combine(root, "alice", "img1.png");
            Assert.Equal("alice/img1.png", DatasetPaths.Relative(root, file));
            Assert.Equal("alice", DatasetPaths.IdentityOf(file));
        }

        [Fact]
        public void CommonParentIsTheDeepestSharedFolder()
        {
            var root = Path.Combine(Path.GetTempPath(), "ds");
            var common = DatasetPaths.CommonParent(new[]
            {
                Path.Combine(root, "alice", "1.png"),
                Path.Combine(root, "bob", "sub", "2.png"),
            });
            Assert.Equal(Path.GetFullPath(root), common);
        }

        [Fact]
        public void PairListEntriesNormaliseToKeys()
        {
            Assert.Equal("alice/1.png", DatasetPaths.NormalizeKey(@".\alice\1.png"));
            Assert.Equal("alice/1.png", DatasetPaths.NormalizeKey("./alice/1.png"));
        }

        [Fact]
        public void AFileOutsideTheRootKeysByItsName()
        {
            var root = Path.Combine(Path.GetTempPath(), "ds");
            var other = Path.Combine(Path.GetTempPath(), "elsewhere", "x.png");
            Assert.Equal("x.png", DatasetPaths.Relative(root, other));
            Assert.False(DatasetPaths.IsUnder(Path.Combine(Path.GetTempPath(), "ds2", "x.png"), root));
        }
    }
}
