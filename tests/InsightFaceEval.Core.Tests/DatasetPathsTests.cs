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

namespace InsightFaceEval.Tests
{
    using Xunit;

    /// <summary>Windows rules, checked on any system through <see cref="PathStyle.Windows"/>.</summary>
    public class WindowsDatasetPathsTests
    {
        private static readonly PathStyle Win = PathStyle.Windows;

        [Fact]
        public void ADatasetAtADriveRootKeepsItsIdentityFolders()
        {
            Assert.True(DatasetPaths.IsUnder(@"E:\alice\1.jpg", @"E:\", Win));
            Assert.Equal("alice/1.jpg", DatasetPaths.Relative(@"E:\", @"E:\alice\1.jpg", Win));
            Assert.Equal("alice/sub/2.jpg", DatasetPaths.Relative(@"E:\", @"E:\alice\sub\2.jpg", Win));
            Assert.Equal("alice", DatasetPaths.IdentityOf(@"E:\alice\1.jpg", Win));
        }

        [Fact]
        public void TheCommonParentOfIdentityFoldersAtADriveRootIsTheRoot()
        {
            var root = DatasetPaths.CommonParent(new[] { @"E:\alice\1.jpg", @"E:\bob\2.jpg" }, Win);
            Assert.Equal(@"E:\", root);
            Assert.Equal("bob/2.jpg", DatasetPaths.Relative(root, @"E:\bob\2.jpg", Win));
        }

        [Fact]
        public void DrivesAndFoldersCompareWithoutCaseAndEitherSlash()
        {
            Assert.Equal("Alice/1.jpg", DatasetPaths.Relative(@"d:\Photos", @"D:\PHOTOS\Alice\1.jpg", Win));
            Assert.Equal("alice/1.jpg", DatasetPaths.Relative(@"D:\photos\", "D:/photos/alice/1.jpg", Win));
            Assert.False(DatasetPaths.IsUnder(@"D:\photos2\a.jpg", @"D:\photos", Win));
            Assert.False(DatasetPaths.IsUnder(@"F:\alice\1.jpg", @"E:\", Win));
            Assert.Equal("1.jpg", DatasetPaths.Relative(@"E:\", @"F:\alice\1.jpg", Win));
        }

        [Fact]
        public void UncSharesWork()
        {
            var root = DatasetPaths.CommonParent(new[] { @"\\nas\faces\alice\1.jpg", @"\\nas\faces\bob\2.jpg" }, Win);
            Assert.Equal(@"\\nas\faces\", root);
            Assert.Equal("alice/1.jpg", DatasetPaths.Relative(root, @"\\nas\faces\alice\1.jpg", Win));
        }

        [Fact]
        public void UnixRulesStayCaseSensitive()
        {
            var unix = PathStyle.Unix;
            Assert.Equal("alice/1.jpg", DatasetPaths.Relative("/", "/alice/1.jpg", unix));
            Assert.False(DatasetPaths.IsUnder("/Photos/a.jpg", "/photos", unix));
            Assert.Equal("/", DatasetPaths.CommonParent(new[] { "/a/1.jpg", "/b/2.jpg" }, unix));
        }
    }
}
