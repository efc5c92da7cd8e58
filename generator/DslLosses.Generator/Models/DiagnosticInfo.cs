using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace DslLosses.Generator.Models;

/// <summary>
/// A diagnostic as data: the descriptor, the location as tree + span (so <c>#pragma warning disable</c> applies), and the
/// message arguments. Kept out of the kernel models so that moving a diagnostic does not re-run emission.
/// </summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, SyntaxTree? Tree, TextSpan Span, EquatableArray<string> Arguments)
{
    /// <summary>Named values a code fix reads (<see cref="Diagnostic.Properties"/>), as (key, value) pairs.</summary>
    public EquatableArray<(string Key, string Value)> Properties { get; init; }

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
        => new(descriptor, location?.SourceTree, location?.SourceSpan ?? default, new EquatableArray<string>(arguments));

    /// <summary>Whether any of <paramref name="diagnostics"/> is an error (a formula with one generates nothing).</summary>
    public static bool AnyError(IEnumerable<DiagnosticInfo> diagnostics) => diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);

    public Diagnostic ToDiagnostic()
    {
        Location location = Tree is null ? Location.None : Location.Create(Tree, Span);
        ImmutableDictionary<string, string?>? properties = Properties.IsEmpty ? null : Properties.ToImmutableDictionary(p => p.Key, p => (string?)p.Value);
        return Diagnostic.Create(Descriptor, location, properties, Arguments.Cast<object>().ToArray());
    }
}

/// <summary>A pipeline value with the diagnostics found while computing it.</summary>
internal sealed record Result<T>(T Value, EquatableArray<DiagnosticInfo> Diagnostics);
