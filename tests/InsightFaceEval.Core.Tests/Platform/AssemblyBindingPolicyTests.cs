using System;
using System.Collections.Generic;
using System.Reflection;
using InsightFaceEval.Platform;
using Xunit;

namespace InsightFaceEval.Tests.Platform
{
    public class AssemblyBindingPolicyTests
    {
        private const string MemoryToken = "cc7b13ffcd2ddd51";
        private const string OtherToken = "b03f5f7f11d50a3a";

        private static AssemblyName Name(string name, string version, string token) =>
            new AssemblyName($"{name}, Version={version}, Culture=neutral, PublicKeyToken={token}");

        [Fact]
        public void ServesTheModuleCopyWhenItIsNewerWithTheSameKey()
        {
            // ImageSharp asks for System.Memory 4.0.1.1; the module ships 4.0.2.0.
            var choice = AssemblyBindingPolicy.Choose(Name("System.Memory", "4.0.1.1", MemoryToken), new AssemblyName[0], Name("System.Memory", "4.0.2.0", MemoryToken));
            Assert.Equal(BindingSource.ModuleFolder, choice.Source);
        }

        [Fact]
        public void ServesTheModuleCopyOfTheExactVersion()
        {
            var choice = AssemblyBindingPolicy.Choose(Name("System.Memory", "4.0.2.0", MemoryToken), null, Name("System.Memory", "4.0.2.0", MemoryToken));
            Assert.Equal(BindingSource.ModuleFolder, choice.Source);
        }

        [Fact]
        public void RefusesAModuleCopyOlderThanRequested()
        {
            var choice = AssemblyBindingPolicy.Choose(Name("System.Runtime.CompilerServices.Unsafe", "7.0.0.0", OtherToken), null, Name("System.Runtime.CompilerServices.Unsafe", "6.0.0.0", OtherToken));
            Assert.Equal(BindingSource.None, choice.Source);
        }

        [Fact]
        public void RefusesAModuleCopySignedWithAnotherKey()
        {
            var choice = AssemblyBindingPolicy.Choose(Name("System.Memory", "4.0.1.1", MemoryToken), null, Name("System.Memory", "4.0.2.0", OtherToken));
            Assert.Equal(BindingSource.None, choice.Source);
            var unsigned = AssemblyBindingPolicy.Choose(Name("System.Memory", "4.0.1.1", MemoryToken), null, Name("System.Memory", "4.0.2.0", "null"));
            Assert.Equal(BindingSource.None, unsigned.Source);
        }

        [Fact]
        public void DeclinesWhenTheModuleHasNoSuchFile()
        {
            Assert.Equal(BindingSource.None, AssemblyBindingPolicy.Choose(Name("Some.Other", "1.0.0.0", OtherToken), null, null).Source);
        }

        [Fact]
        public void PrefersAnAlreadyLoadedAssemblyOfTheSameNameAndKey()
        {
            var loaded = new List<AssemblyName>
            {
                Name("System.Buffers", "4.0.3.0", OtherToken),
                Name("System.Memory", "4.0.1.2", MemoryToken),
                Name("System.Memory", "4.0.2.0", MemoryToken),
                Name("System.Memory", "4.0.9.0", OtherToken),
            };
            var choice = AssemblyBindingPolicy.Choose(Name("SYSTEM.MEMORY", "4.0.1.1", MemoryToken), loaded, Name("System.Memory", "4.0.2.0", MemoryToken));
            Assert.Equal(BindingSource.Loaded, choice.Source);
            Assert.Equal(2, choice.LoadedIndex); // the highest loaded version with the requested key, not the other key's copy
        }

        [Fact]
        public void CoversComparesNameKeyAndVersion()
        {
            Assert.True(AssemblyBindingPolicy.Covers(Name("A", "1.0.0.0", OtherToken), Name("a", "1.2.0.0", OtherToken)));
            Assert.False(AssemblyBindingPolicy.Covers(Name("A", "1.0.0.0", OtherToken), Name("B", "1.2.0.0", OtherToken)));
            Assert.False(AssemblyBindingPolicy.Covers(Name("A", "1.3.0.0", OtherToken), Name("A", "1.2.0.0", OtherToken)));
            Assert.False(AssemblyBindingPolicy.Covers(Name("A", "1.0.0.0", OtherToken), null));
        }
    }
}
