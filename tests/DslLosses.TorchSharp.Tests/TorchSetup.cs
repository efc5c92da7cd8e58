using System.Runtime.CompilerServices;
using DslLosses.Testing;

namespace DslLosses.TorchBridge.Tests;

internal static class TorchSetup
{
    /// <summary>Before any test touches TorchSharp: make its native bridge loadable from this test's output folder.</summary>
    [ModuleInitializer]
    internal static void LoadTorch() => TorchLoader.EnsureLoadable();
}
