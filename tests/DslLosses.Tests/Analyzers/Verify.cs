using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DslLosses.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace DslLosses.Tests.Analyzers;

/// <summary>
/// Analyzer and code-fix tests on consumer source: .NET 10 reference assemblies, System.Numerics.Tensors, the DslLosses
/// runtime, and the DslLosses generator running in the test compilation (so calls to generated kernels bind).
/// </summary>
/// <remarks>
/// The TorchSharp bridge's test project links this file and adds, in <c>VerifyTorch.cs</c>, compilations that also
/// reference DslLosses.TorchSharp and TorchSharp (this project references neither).
/// </remarks>
internal static partial class Verify
{
    public const string Usings = "using System;\nusing System.Numerics.Tensors;\nusing DslLosses;\nusing static DslLosses.Dsl;\nusing TensorExpr = DslLosses.TensorExpr;\nusing NTensor = System.Numerics.Tensors.Tensor;\n";

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var refs = new List<MetadataReference>(Basic.Reference.Assemblies.Net100.References.All);
        if (!refs.Any(r => r.Display?.Contains("System.Numerics.Tensors", StringComparison.OrdinalIgnoreCase) == true))
            refs.Add(MetadataReference.CreateFromFile(typeof(System.Numerics.Tensors.Tensor).Assembly.Location));
        refs.Add(MetadataReference.CreateFromFile(typeof(DslLosses.Reduction).Assembly.Location));
        return refs.ToArray();
    });

    /// <summary>Adds DslLosses.TorchSharp and TorchSharp to a compilation's references (only in the bridge's test project).</summary>
    static partial void AddTorchReferences(SolutionState state);

    private static void Configure(SolutionState state, List<Func<Solution, ProjectId, Solution>> transforms, bool torch = false)
    {
        state.AdditionalReferences.AddRange(References.Value);
        if (torch)
            AddTorchReferences(state);
        transforms.Add((solution, id) =>
        {
            Project project = solution.GetProject(id)!;
            var parse = ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.Latest);
            return solution.WithProjectParseOptions(id, parse);
        });
    }

    public sealed class AnalyzerTest<TAnalyzer> : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        /// <param name="torch">Whether the compilation references DslLosses.TorchSharp and TorchSharp (the generator then emits TorchSharp entry points).</param>
        public AnalyzerTest(bool torch = false)
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0");
            TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
            Configure(TestState, SolutionTransforms, torch);
        }

        protected override IEnumerable<Type> GetSourceGenerators() => new[] { typeof(LossGenerator) };
    }

    public sealed class CodeFixTest<TAnalyzer, TFix> : CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier>
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
    {
        public CodeFixTest()
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0");
            TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
            Configure(TestState, SolutionTransforms);
            Configure(FixedState, SolutionTransforms);
        }

        protected override IEnumerable<Type> GetSourceGenerators() => new[] { typeof(LossGenerator) };
    }

    /// <summary>Checks that exactly the marked diagnostics (<c>{|DSL0106:...|}</c>) are reported.</summary>
    public static Task Analyzer<TAnalyzer>(string markup, CancellationToken ct = default)
        where TAnalyzer : DiagnosticAnalyzer, new()
        => new AnalyzerTest<TAnalyzer> { TestCode = Usings + markup }.RunAsync(ct);

    /// <summary>Checks the marked diagnostics and the source after the code fix.</summary>
    public static Task CodeFix<TAnalyzer, TFix>(string markup, string fixedSource, CancellationToken ct = default)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
        => new CodeFixTest<TAnalyzer, TFix> { TestCode = Usings + markup, FixedCode = Usings + fixedSource }.RunAsync(ct);
}
