using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DslLosses.Tests.Fuzzing;

/// <summary>The numeric side of the fuzzer: a harness per random formula, compiled with its generated code, and the relations checked on its results.</summary>
public sealed partial class GeneratorFuzz
{
    /// <summary>
    /// The gradient entry points a random formula got, read from the public signatures of its generated code: the
    /// tensors with a destination (by parameter name; <c>gradient</c> alone is the one predicted), the Scalars with an
    /// <c>out</c> value, the single-input formulas with a gradient, the Scalars with <c>FGradientBy...</c>; and the names
    /// as written, to compare with what the signature and body predict.
    /// </summary>
    private sealed record GradientApi(bool Exists, List<string> Tensors, List<string> Scalars, List<string> Companions, List<string> ByScalar, string Written);

    private static string Capitalized(string name) => char.ToUpperInvariant(name[0]) + name.Substring(1);

    private static GradientApi ReadApi(Signature signature, Node body, string code)
    {
        string widest = Regex.Matches(code, @"public static void FGradient<T>\(([^)]*)\)").Select(m => m.Groups[1].Value).OrderByDescending(s => s.Length).FirstOrDefault() ?? "";
        var destinations = Regex.Matches(widest, @"(?<!ReadOnly)TensorSpan<T> (\w+)").Select(m => m.Groups[1].Value).ToList();
        var outs = Regex.Matches(widest, @"\bout T (\w+)").Select(m => m.Groups[1].Value).ToList();
        List<string> predicted = signature.DifferentiableTensors(body);
        // a destination maps to the parameter it names; "gradient" alone to the one tensor the formula differentiates by
        string? Of(string destination) => destination == "gradient"
            ? (predicted.Count == 1 ? predicted[0] : null)
            : signature.Params.Select(p => p.Name).FirstOrDefault(n => "gradient" + Capitalized(n) == destination);
        var tensors = destinations.Select(Of).Where(n => n is not null).Select(n => n!).ToList();
        var scalars = outs.Select(Of).Where(n => n is not null).Select(n => n!).ToList();
        var companions = signature.Companions(body).Where(x => code.Contains($"public static void F{x}Gradient<T>(", StringComparison.Ordinal)).ToList();
        var byScalar = signature.DifferentiableScalars(body).Where(x => code.Contains($"public static T FGradientBy{Capitalized(x)}<T>(", StringComparison.Ordinal)).ToList();
        return new GradientApi(widest.Length > 0, tensors, scalars, companions, byScalar, string.Join(", ", destinations.Concat(outs.Select(o => "out " + o))));
    }

    private void CompileAndRun(IReadOnlyList<(int Index, FuzzCase Case)> cases, List<CaseOutcome> outcomes, List<(int Slot, SyntaxTree User, ImmutableArray<SyntaxTree> Generated)> batch)
    {
        var harnesses = new Dictionary<int, (SyntaxTree Tree, GradientApi Api)>();
        foreach (var (slot, _, gen) in batch)
        {
            (int index, FuzzCase c) = cases[slot];
            if (c.Body is null)
                continue;
            GradientApi api = ReadApi(c.Signature!, c.Body, string.Concat(gen.Select(g => g.ToString())));
            harnesses[slot] = (CSharpSyntaxTree.ParseText(Harness(index, c.Signature!, api), GeneratorHarness.ParseOptions, path: $"Harness{index}.cs"), api);
        }
        var owner = new Dictionary<SyntaxTree, int>();
        foreach (var (slot, user, gen) in batch)
        {
            owner[user] = slot;
            foreach (SyntaxTree g in gen)
                owner[g] = slot;
            if (harnesses.TryGetValue(slot, out var h))
                owner[h.Tree] = slot;
        }
        var stage = Stopwatch.StartNew();
        CSharpCompilation compilation = GeneratorHarness.Compile().AddSyntaxTrees(owner.Keys);
        var failed = new HashSet<int>();
        // Emit binds everything once and reports the errors: the common case (all compile) costs one pass; a batch with
        // nothing to run only needs the binding
        using var image = new MemoryStream();
        bool runs = harnesses.Count > 0;
        var emitted = runs ? compilation.Emit(image) : null;
        foreach (Diagnostic d in (emitted?.Diagnostics ?? compilation.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error))
        {
            int slot = d.Location.SourceTree is { } t && owner.TryGetValue(t, out int s) ? s : -1;
            if (slot < 0)
                continue;
            if (failed.Add(slot))
                outcomes[slot].Class = "bad-emit";
            if (outcomes[slot].Violations.Count < 3)
                outcomes[slot].Violations.Add("generated code does not compile: " + d);
        }
        foreach (var (slot, _, _) in batch)
            Count("generated code compiles", !failed.Contains(slot));
        Time("compile", stage);
        if (!harnesses.Keys.Any(s => !failed.Contains(s)))
            return;
        if (failed.Count > 0)
        {
            compilation = compilation.RemoveSyntaxTrees(owner.Where(kv => failed.Contains(kv.Value)).Select(kv => kv.Key));
            image.SetLength(0);
            emitted = compilation.Emit(image);
        }
        if (!emitted!.Success)
        {
            foreach (var (slot, _, _) in batch)
                outcomes[slot].Violations.Add("batch emit failed: " + emitted.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error));
            return;
        }
        image.Position = 0;
        var context = new AssemblyLoadContext("fuzz", isCollectible: true);
        try
        {
            Assembly assembly = context.LoadFromStream(image);
            foreach (var (slot, (_, api)) in harnesses.Where(h => !failed.Contains(h.Key)))
            {
                (int index, FuzzCase c) = cases[slot];
                try
                {
                    CheckNumbers(index, c.Signature!, c.Body!, c.Method.Contains("LossElementTypes.All", StringComparison.Ordinal), api, new Harnessed(assembly.GetType($"Fuzz.Case{index}.Harness")!), outcomes[slot]);
                }
                catch (TargetInvocationException ex)
                {
                    outcomes[slot].Violations.Add("the generated code threw: " + ex.InnerException);
                }
            }
        }
        finally
        {
            context.Unload();
            Time("run", stage);
        }
    }

    /// <summary>
    /// The adaptor between the checks and one formula's generated entry points, generic over the element type; inputs
    /// by parameter position (<c>t</c> tensors, <c>s</c> Scalars, <c>ix</c> indices, <c>sh</c> shapes), gradients into
    /// <c>g</c> and <c>sg</c> at their input's position.
    /// </summary>
    private static string Harness(int index, Signature signature, GradientApi api)
    {
        string Args(Signature sig) => string.Join(", ", sig.Params.Select((p, i) => p.Kind switch
        {
            ParamKind.Scalar => $"s[{i}]",
            ParamKind.Indices => $"R(ix[{i}], sh[{i}])",
            _ => $"R(t[{i}], sh[{i}])",
        }));
        string args = Args(signature);
        string destinations = string.Concat(api.Tensors.Select(n => $", G(g[{signature.IndexOf(n)}], sh[{signature.IndexOf(n)}])"));
        string outs = string.Concat(api.Scalars.Select(n => $", out sg[{signature.IndexOf(n)}]"));
        string gradient = api.Exists
            ? $$"""
                    if (mode == 0) { L.FGradient({{args}}{{destinations}}, r, W(w, ws)); return default; }
                    if (mode == 1) { L.FGradient({{args}}{{destinations}}{{outs}}, r, W(w, ws)); return default; }
                    return L.FWithGradient({{args}}{{destinations}}{{outs}}, r, W(w, ws));
            """
            : "throw new System.NotSupportedException();";
        string companions = string.Concat(api.Companions.Select(n => $"            if (name == \"{n}\") {{ L.F{n}Gradient({args}, G(g, sh[{signature.IndexOf(n)}]), r, W(w, ws)); return; }}\n"));
        string byScalar = string.Concat(api.ByScalar.Select(n => $"            if (name == \"{n}\") return L.FGradientBy{Capitalized(n)}({args}, r, W(w, ws));\n"));
        const string Parameters = "T[][] t, T[] s, int[][] ix, nint[][] sh, nint[] ws";
        return Usings + $$"""
            namespace Fuzz.Case{{index}}
            {
                public static class Harness
                {
                    private static System.Numerics.Tensors.ReadOnlyTensorSpan<T> R<T>(T[] v, nint[] shape) => new(v, shape, default);
                    private static System.Numerics.Tensors.TensorSpan<T> G<T>(T[] v, nint[] shape) => new(v, shape, default);
                    private static System.Numerics.Tensors.ReadOnlyTensorSpan<T> W<T>(T[]? w, nint[] shape) => w is null ? default : new(w, shape, default);

                    public static T Loss<T>({{Parameters}}, Reduction r, T[]? w) where T : unmanaged => L.F({{args}}, r, W(w, ws));

                    public static (T[] Values, nint[] Lengths) PerSample<T>({{Parameters}}) where T : unmanaged
                    {
                        var per = L.FPerSample({{args}});
                        var values = new T[per.FlattenedLength];
                        int i = 0;
                        foreach (T v in per)
                            values[i++] = v;
                        return (values, per.Lengths.ToArray());
                    }

                    /// <summary>mode 0: FGradient; 1: FGradient with the Scalars' out values; 2: FWithGradient (with them).</summary>
                    public static T Gradient<T>({{Parameters}}, T[][] g, T[] sg, Reduction r, T[]? w, int mode) where T : unmanaged
                    {
                        {{gradient}}
                    }

                    public static void Companion<T>(string name, {{Parameters}}, T[] g, Reduction r, T[]? w) where T : unmanaged
                    {
            {{companions}}            throw new System.ArgumentException(name);
                    }

                    public static T GradientBy<T>(string name, {{Parameters}}, Reduction r, T[]? w) where T : unmanaged
                    {
            {{byScalar}}            throw new System.ArgumentException(name);
                    }
                }
            }
            """;
    }

    /// <summary>One formula's inputs in one element type, by parameter position (null where the parameter is of another kind).</summary>
    private sealed record Inputs<T>(T[][] Tensors, T[] Scalars, int[][] Indices, nint[][] Shapes)
    {
        /// <summary>The shape of the sample weights passed with these inputs.</summary>
        public nint[] WeightShape { get; init; } = Array.Empty<nint>();

        public object?[] Arguments(params object?[] more) => new object?[] { Tensors, Scalars, Indices, Shapes, WeightShape }.Concat(more).ToArray();
    }

    /// <summary>The compiled harness of one formula, called by reflection.</summary>
    private sealed class Harnessed(Type harness)
    {
        private readonly Dictionary<(string, Type), MethodInfo> _methods = new();

        private object? Call<T>(string method, object?[] arguments)
        {
            if (!_methods.TryGetValue((method, typeof(T)), out MethodInfo? m))
                _methods[(method, typeof(T))] = m = harness.GetMethod(method)!.MakeGenericMethod(typeof(T));
            return m.Invoke(null, arguments);
        }

        public T Loss<T>(Inputs<T> x, Reduction r, T[]? w = null) => (T)Call<T>("Loss", x.Arguments(r, w))!;

        public (T[] Values, nint[] Lengths) PerSample<T>(Inputs<T> x) => ((T[], nint[]))Call<T>("PerSample", x.Arguments())!;

        public T Gradient<T>(Inputs<T> x, T[][] g, T[] sg, Reduction r, T[]? w, int mode) => (T)Call<T>("Gradient", x.Arguments(g, sg, r, w, mode))!;

        public void Companion<T>(string name, Inputs<T> x, T[] g, Reduction r, T[]? w) => Call<T>("Companion", new object?[] { name }.Concat(x.Arguments(g, r, w)).ToArray());

        public T GradientBy<T>(string name, Inputs<T> x, Reduction r, T[]? w) => (T)Call<T>("GradientBy", new object?[] { name }.Concat(x.Arguments(r, w)).ToArray())!;
    }

    private static Inputs<T> Convert<T>(Inputs<double> x, Func<double, T> f)
        => new(x.Tensors.Select(a => a is null ? null! : Array.ConvertAll(a, v => f(v))).ToArray(), Array.ConvertAll(x.Scalars, v => f(v)), x.Indices, x.Shapes) { WeightShape = x.WeightShape };

    /// <summary>Seeded inputs in every formula's domain: sizes per symbolic dimension, values per parameter name.</summary>
    private static Inputs<double> MakeInputs(Signature signature, Random random)
    {
        var sizes = new Dictionary<string, int>
        {
            ["B"] = 1 + random.Next(4),
            ["N"] = new[] { 1, 2, 3, 5, 8, 17, 33 }[random.Next(7)],
            ["T"] = 1 + random.Next(3),
            ["H"] = new[] { 1, 2, 3, 5 }[random.Next(4)],
            ["W"] = new[] { 1, 2, 3, 4, 7, 17 }[random.Next(6)],
        };
        int count = signature.Params.Length;
        var x = new Inputs<double>(new double[count][], new double[count], new int[count][], new nint[count][]);
        for (int i = 0; i < count; i++)
        {
            Param p = signature.Params[i];
            x.Shapes[i] = p.Dims.Select(d => (nint)sizes[d]).ToArray();
            int n = p.Dims.Aggregate(1, (a, d) => a * sizes[d]);
            (double lo, double hi) = p.Name switch { "y" => (0.0, 1.0), "w" => (0.5, 2.0), "r" => (0.5, 1.5), "s" => (0.5, 2.0), _ => (-2.0, 2.0) };
            if (p.Kind == ParamKind.Scalar)
                x.Scalars[i] = lo + (hi - lo) * random.NextDouble();
            else if (p.Kind == ParamKind.Indices)
                x.Indices[i] = Enumerable.Range(0, n).Select(_ => random.Next(sizes["N"])).ToArray();
            else
                x.Tensors[i] = Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * random.NextDouble()).ToArray();
        }
        return x;
    }

    private static readonly Func<double, double> AsDouble = v => v;
    private static readonly Func<double, float> AsFloat = v => (float)v;

    private void CheckNumbers(int index, Signature signature, Node body, bool halfKernels, GradientApi api, Harnessed f, CaseOutcome outcome)
    {
        var random = new Random(index);
        Inputs<double> x = MakeInputs(signature, random);
        int b = (int)x.Shapes[signature.IndexOf("p")][0];
        (double[] per, nint[] lossShape) = f.PerSample(x);
        // the row weights 0.25, 1.25, ...: one per sample, [B] (Keras expands it to [B, 1] for a rank-2 loss) or, for a
        // loss of higher rank, [B, 1, ..., 1] (a [B] weight broadcasts numpy's way, along the last axis, as in tf_keras);
        // as given they sum to b (b - 1) / 2 + b / 4
        x = x with { WeightShape = lossShape.Length <= 2 ? new nint[] { b } : lossShape.Select((_, i) => i == 0 ? (nint)b : 1).ToArray() };
        Inputs<float> xf = Convert(x, AsFloat);
        int[] k = signature.IndexOf("k") is int ki and >= 0 ? x.Indices[ki] : Array.Empty<int>();
        bool masked = body.Text.StartsWith(RandomFormula.MaskPrefix, StringComparison.Ordinal);
        string sizes = string.Join(", ", signature.Params.Where(p => p.Kind != ParamKind.Scalar).Select(p => $"{p.Name} [{string.Join(", ", x.Shapes[signature.IndexOf(p.Name)])}]"));
        void Check(string relation, bool ok, string detail)
        {
            Count(relation, ok);
            if (!ok)
                outcome.Violations.Add($"{relation}: {detail} ({sizes})");
        }

        double sum = f.Loss(x, Reduction.Sum), mean = f.Loss(x, Reduction.SumOverBatchSize);
        double sumF = f.Loss(xf, Reduction.Sum);
        double[] perF = f.PerSample(xf).Values.Select(v => (double)v).ToArray();
        int count = per.Length;
        double[] rowWeights = Enumerable.Range(0, b).Select(i => 0.25 + i).ToArray();
        double meanWithWeights = f.Loss(x, Reduction.MeanWithSampleWeight);
        double meanWithRowWeights = f.Loss(x, Reduction.MeanWithSampleWeight, rowWeights);
        double weightedSum = f.Loss(x, Reduction.Sum, rowWeights);
        // Half: computed in float and rounded once, so it is the float result on the same (Half-rounded) inputs, rounded
        bool half = halfKernels;
        double sumHalf = half ? (double)f.Loss(Convert(x, v => (Half)v), Reduction.Sum) : double.NaN;
        double sumFloatOnHalfInputs = half ? f.Loss(Convert(x, v => (float)(Half)v), Reduction.Sum) : double.NaN;

        // a masked formula's rows with class index 0 are taken out (the mask, one per row, broadcasts along an
        // elementwise loss's row): SumOverBatchSize counts only the kept entries
        int perRow = Math.Max(1, count / b);
        int counted = masked ? k.Count(c => c != 0) * perRow : count;
        if (!double.IsFinite(sum))
        {
            Count("per-sample values sum to Sum", true, skipped: true);
            return;
        }
        double magnitude = per.Sum(Math.Abs);
        Check("per-sample values sum to Sum", Math.Abs(per.Sum() - sum) <= 1e-12 * magnitude * (count + 1) + 1e-300, $"Σ per-sample {per.Sum():R}, Sum {sum:R}");
        if (counted == 0)
            Check("SumOverBatchSize = Sum / count", double.IsNaN(mean), $"every row taken out: SumOverBatchSize {mean:R}, expected NaN as tf_keras gives");
        else
            Check("SumOverBatchSize = Sum / count", Math.Abs(mean - sum / counted) <= 1e-15 * Math.Abs(sum / counted), $"SumOverBatchSize {mean:R}, Sum / {counted} = {sum / counted:R}");
        if (masked)
        {
            Check("a masked formula has one loss per row or per element", count == b || count == x.Tensors[signature.IndexOf("p")].Length, $"{count} per-sample losses for {b} rows");
            for (int j = 0; j < count; j++)
            {
                if (k[j / perRow] == 0)
                    Check("a row taken out by the mask is 0", per[j] == 0 && perF[j] == 0, $"entry {j} (row of class 0): double {per[j]:R}, float {perF[j]:R}");
            }
        }
        // Half rounds the float result on the same Half-rounded inputs once; the kernels differ only in summation order
        if (!half)
            Count("Half is the float result rounded", true, skipped: true); // a formula generated without Half kernels
        else if (double.IsFinite(sumFloatOnHalfInputs) && Math.Abs(sumFloatOnHalfInputs) < 60000)
        {
            Check("Half is the float result rounded", Math.Abs(sumHalf - sumFloatOnHalfInputs) <= Math.Abs(sumFloatOnHalfInputs) / 1024 + 1e-5 * (magnitude + 1),
                $"Half {sumHalf:R}, float on the same inputs {sumFloatOnHalfInputs:R}");
        }
        // a formula comparing values equal in exact arithmetic (Where((y + p) - p > y, ...)) takes its branch by rounding,
        // so float and double may differ by more than rounding there: a point where the double per-sample losses move by
        // more than the tolerance when the inputs move at float's rounding scale (three seeded tries) is skipped
        bool? fragile = null;
        bool Fragile() => fragile ??= Enumerable.Range(1, 3).Any(trial =>
        {
            var nudge = new Random(trial);
            Inputs<double> moved = x with { Tensors = x.Tensors.Select(a => a is null ? null! : a.Select(v => v * (1 + 1e-6 * (2 * nudge.NextDouble() - 1))).ToArray()).ToArray() };
            return f.PerSample(moved).Values.Zip(per).Any(t => !(Math.Abs(t.First - t.Second) <= 2e-3 * (Math.Abs(t.Second) + 1)));
        });
        void FloatAgrees(bool ok, string detail)
        {
            if (!ok && Fragile())
                Count("float agrees with double", true, skipped: true);
            else
                Check("float agrees with double", ok, detail);
        }
        FloatAgrees(Math.Abs(sumF - sum) <= 2e-3 * (magnitude + 1), $"float {sumF:R}, double {sum:R}");
        // except when a mask takes every entry out: SumOverBatchSize is NaN there (tf_keras 2), MeanWithSampleWeight 0
        // (Keras 3 divides with divide_no_nan by the kept count)
        if (counted == 0)
            Check("MeanWithSampleWeight without weights is SumOverBatchSize (bit for bit)", meanWithWeights == 0, $"every entry taken out: MeanWithSampleWeight {meanWithWeights:R}, expected 0");
        else
            Check("MeanWithSampleWeight without weights is SumOverBatchSize (bit for bit)", meanWithWeights.Equals(mean), $"MeanWithSampleWeight {meanWithWeights:R}, SumOverBatchSize {mean:R}");
        double weightSum = rowWeights.Sum();
        if (masked)
        {
            // tf_keras 2 has no MeanWithSampleWeight; Keras 3 takes masked entries' weights out of the divisor, which
            // this reduction does not do yet for masked formulas: not checked here
            Count("MeanWithSampleWeight = weighted Sum / sum of the weights", true, skipped: true);
        }
        else if (double.IsFinite(weightedSum))
        {
            Check("MeanWithSampleWeight = weighted Sum / sum of the weights", Math.Abs(meanWithRowWeights - weightedSum / weightSum) <= 1e-15 * Math.Abs(weightedSum / weightSum),
                $"MeanWithSampleWeight {meanWithRowWeights:R}, weighted Sum / {weightSum:R} = {weightedSum / weightSum:R}");
        }
        // the weighted Sum against the per-sample losses weighted here, one weight per sample row
        double expectedWeighted = Enumerable.Range(0, count).Sum(j => rowWeights[j / perRow] * per[j]);
        Check("weighted Sum = Σ weight × per-sample loss", Math.Abs(weightedSum - expectedWeighted) <= 1e-12 * (magnitude * b + 1), $"weighted Sum {weightedSum:R}, Σ w·l {expectedWeighted:R}");
        for (int j = 0; j < count; j++)
        {
            if (double.IsFinite(per[j]))
            {
                Check("no NaN where the double result is finite", !double.IsNaN(perF[j]), $"float per-sample {j} is NaN, double {per[j]:R}");
                if (!(Math.Abs(perF[j] - per[j]) <= 2e-3 * (Math.Abs(per[j]) + 1)))
                    FloatAgrees(false, $"per-sample {j}: float {perF[j]:R}, double {per[j]:R}");
            }
        }
        if (!api.Exists)
            return;
        CheckGradients(signature, body, api, f, x, rowWeights, random, Check);
    }

    private void CheckGradients(Signature signature, Node body, GradientApi api, Harnessed f, Inputs<double> x, double[] rowWeights, Random random, Action<string, bool, string> check)
    {
        List<string> tensors = signature.DifferentiableTensors(body), scalars = signature.DifferentiableScalars(body);
        string predicted = string.Join(", ", (tensors.Count == 1 ? new List<string> { "gradient" } : tensors.Select(n => "gradient" + Capitalized(n)).ToList()).Concat(scalars.Select(n => "out gradient" + Capitalized(n))));
        check("one gradient destination per marked input the loss depends on", predicted == api.Written, $"FGradient takes ({api.Written}), expected ({predicted})");
        if (predicted != api.Written)
            return;

        int n = signature.Params.Length;
        double[][] NewGradients() => signature.Params.Select((p, i) => api.Tensors.Contains(p.Name) ? new double[x.Tensors[i].Length] : null!).ToArray();
        double sum = f.Loss(x, Reduction.Sum), mean = f.Loss(x, Reduction.SumOverBatchSize);
        // the fused calls: WithGradient's totals are the loss's, its gradients those of FGradient, with or without the Scalars'
        double[][] g = NewGradients(), gOut = NewGradients(), gFused = NewGradients();
        double[] sgOut = new double[n], sgFused = new double[n];
        f.Gradient(x, g, new double[n], Reduction.Sum, null, mode: 0);
        if (api.Scalars.Count > 0)
            f.Gradient(x, gOut, sgOut, Reduction.Sum, null, mode: 1);
        double fusedSum = f.Gradient(x, gFused, sgFused, Reduction.Sum, null, mode: 2);
        double fusedMean = f.Gradient(x, NewGradients(), new double[n], Reduction.SumOverBatchSize, null, mode: 2);
        check("fused total equals the loss (bit for bit)", fusedSum.Equals(sum) && fusedMean.Equals(mean), $"WithGradient Sum {fusedSum:R} vs {sum:R}, SumOverBatchSize {fusedMean:R} vs {mean:R}");
        foreach (string t in api.Tensors)
        {
            int i = signature.IndexOf(t);
            check("no NaN where the double result is finite", !g[i].Any(double.IsNaN), $"a gradient entry by {t} is NaN");
            bool same = BitsEqual(g[i], gFused[i]) && (api.Scalars.Count == 0 || BitsEqual(g[i], gOut[i]));
            check("FGradient and FWithGradient give the same gradients, with or without the Scalars' (bit for bit)", same, $"the gradient by {t} differs between the entry points");
        }
        foreach (string s in api.Scalars)
        {
            int i = signature.IndexOf(s);
            check("FGradient and FWithGradient give the same gradients, with or without the Scalars' (bit for bit)", sgOut[i].Equals(sgFused[i]), $"the gradient by {s}: FGradient {sgOut[i]:R}, FWithGradient {sgFused[i]:R}");
        }

        // each fused gradient against the formula marked on that input alone: tensors bit for bit; a Scalar's
        // FGradientBy... sums in another order (README), so to rounding
        foreach (string t in api.Companions)
        {
            int i = signature.IndexOf(t);
            foreach ((Reduction r, double[]? w) in new[] { (Reduction.Sum, (double[]?)null), (Reduction.MeanWithSampleWeight, rowWeights) })
            {
                double[][] fused = NewGradients();
                f.Gradient(x, fused, new double[n], r, w, mode: 0);
                double[] alone = new double[x.Tensors[i].Length];
                f.Companion(t, x, alone, r, w);
                check("a fused gradient is the single-input formula's (bit for bit)", BitsEqual(fused[i], alone), $"{r}{(w is null ? "" : " weighted")}: the gradient by {t} differs from F{t}Gradient's{FirstDifference(fused[i], alone)}");
            }
        }
        foreach (string s in api.ByScalar.Where(api.Scalars.Contains))
        {
            int i = signature.IndexOf(s);
            double alone = f.GradientBy(s, x, Reduction.Sum, null);
            check("a fused Scalar gradient is FGradientBy...'s (to rounding)", Math.Abs(sgOut[i] - alone) <= 1e-12 * (Math.Abs(alone) + 1), $"the gradient by {s}: fused {sgOut[i]:R}, FGradientBy{Capitalized(s)} {alone:R}");
        }

        // each gradient against central differences of the double Sum, at a few entries (a Scalar: its one value)
        double At(int parameter, int j, double h)
        {
            Inputs<double> moved = x with { Tensors = (double[][])x.Tensors.Clone(), Scalars = (double[])x.Scalars.Clone() };
            if (signature.Params[parameter].Kind == ParamKind.Scalar)
                moved.Scalars[parameter] += h;
            else
            {
                moved.Tensors[parameter] = (double[])x.Tensors[parameter].Clone();
                moved.Tensors[parameter][j] += h;
            }
            return f.Loss(moved, Reduction.Sum);
        }
        var probes = api.Tensors.SelectMany(t => Enumerable.Range(0, 3).Select(_ => (Parameter: signature.IndexOf(t), Entry: random.Next(x.Tensors[signature.IndexOf(t)].Length))).Distinct())
            .Concat(api.Scalars.Select(s => (Parameter: signature.IndexOf(s), Entry: -1)));
        foreach ((int parameter, int j) in probes)
        {
            double value = j < 0 ? x.Scalars[parameter] : x.Tensors[parameter][j];
            double analytic = j < 0 ? sgOut[parameter] : g[parameter][j];
            double h = 1e-5 * Math.Max(1, Math.Abs(value));
            double central = (At(parameter, j, h) - At(parameter, j, -h)) / (2 * h);
            double finer = (At(parameter, j, h / 10) - At(parameter, j, -h / 10)) / (h / 5);
            double scale = Math.Abs(central) + Math.Abs(analytic) + 1;
            if (!double.IsFinite(central) || Math.Abs(central - finer) > 1e-4 * scale)
            {
                Count("double gradient agrees with central differences", true, skipped: true); // not smooth here
                continue;
            }
            string what = signature.Params[parameter].Name + (j < 0 ? "" : $"[{j}]");
            check("double gradient agrees with central differences", Math.Abs(analytic - central) <= 1e-4 * scale, $"by {what}: gradient {analytic:R}, central difference {central:R}");
        }
    }

    private static bool BitsEqual(double[] a, double[] b) => a.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(b.Select(BitConverter.DoubleToInt64Bits));

    private static string FirstDifference(double[] a, double[] b)
    {
        int j = Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => BitConverter.DoubleToInt64Bits(a[i]) != BitConverter.DoubleToInt64Bits(b[i]), -1);
        return j < 0 ? $" (lengths {a.Length}, {b.Length})" : $" (entry {j}: {a[j]:R} vs {b[j]:R})";
    }
}
