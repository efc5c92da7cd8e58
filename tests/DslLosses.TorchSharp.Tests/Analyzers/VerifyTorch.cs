using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace DslLosses.Tests.Analyzers;

/// <summary>The TorchSharp part of the analyzer tests' <c>Verify</c> (linked from the main test project).</summary>
internal static partial class Verify
{
    /// <summary>Usings of the TorchSharp tests: TorchSharp's <c>torch</c> by name (its <c>Tensor</c> would clash with System.Numerics.Tensors'), the DSL's <c>Scalar</c> over TorchSharp's.</summary>
    public const string TorchUsings = Usings + "using TorchSharp;\nusing Scalar = DslLosses.Scalar;\n";

    /// <summary>DslLosses.TorchSharp and TorchSharp's managed bindings, the assemblies this project references, as metadata.</summary>
    static partial void AddTorchReferences(SolutionState state)
    {
        state.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(TorchSharpLosses).Assembly.Location));
        state.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location));
    }

    /// <summary>Checks that exactly the marked diagnostics are reported, in code that references DslLosses.TorchSharp and TorchSharp.</summary>
    public static Task TorchAnalyzer<TAnalyzer>(string markup, CancellationToken ct = default)
        where TAnalyzer : DiagnosticAnalyzer, new()
        => new AnalyzerTest<TAnalyzer>(torch: true) { TestCode = TorchUsings + markup }.RunAsync(ct);
}
