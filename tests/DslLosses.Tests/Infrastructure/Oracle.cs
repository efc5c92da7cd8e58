using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace DslLosses.Tests.Infrastructure;

/// <summary>A tensor read from the oracle file: row-major values and a shape.</summary>
public sealed record OracleTensor(double[] Values, nint[] Shape)
{
    public float[] AsSingle() => Values.Select(v => (float)v).ToArray();

    public static OracleTensor Read(JsonElement element, JsonElement? shapeHint = null)
    {
        var values = new List<double>();
        var shape = new List<nint>();
        Walk(element, 0, values, shape);
        if (shapeHint is { ValueKind: JsonValueKind.Array } hint)
            shape = hint.EnumerateArray().Select(e => (nint)e.GetInt64()).ToList();
        return new OracleTensor(values.ToArray(), shape.ToArray());
    }

    private static void Walk(JsonElement e, int depth, List<double> values, List<nint> shape)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            int n = e.GetArrayLength();
            if (shape.Count == depth)
                shape.Add(n);
            foreach (JsonElement child in e.EnumerateArray())
                Walk(child, depth + 1, values, shape);
            return;
        }
        values.Add(Number(e));
    }

    public static double Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => throw new FormatException("unexpected oracle value " + s),
        },
        _ => throw new FormatException("unexpected oracle value " + e),
    };
}

/// <summary>
/// One case of <c>keras_vectors.json</c> or <c>keras_vectors_catalogue.json</c>. The options only some losses have hold
/// Keras's defaults elsewhere: <c>delta</c> 1, <c>apply_class_balancing</c> false, <c>alpha</c> 0.25 (a list when
/// <see cref="AlphaIsList"/>), <c>gamma</c> 2.
/// </summary>
public sealed record OracleCase(
    string Id, string Loss, bool FromLogits, double LabelSmoothing, int Axis, Reduction Reduction, int? IgnoreClass,
    OracleTensor YTrue, OracleTensor YPred, OracleTensor? SampleWeight, bool ScalarWeight, OracleTensor Expected, bool ExpectedIsScalar,
    bool Double, double Rtol, double Atol, string SourceText,
    double Delta = 1.0, bool ApplyClassBalancing = false, double[]? Alpha = null, bool AlphaIsList = false, double Gamma = 2.0)
{
    public string Source() => SourceText;

    public override string ToString() => Id;
}

/// <summary>The reference vectors, from the copies kept with the tests: the seed losses and the catalogue of the rest.</summary>
public static class Oracle
{
    /// <summary>The file names of the copies, as in <c>../shared/oracle</c>.</summary>
    public static readonly string[] FileNames = ["keras_vectors.json", "keras_vectors_catalogue.json"];

    public static string CopyPath => PathOf(FileNames[0]);

    public static string PathOf(string fileName) => Path.Combine(AppContext.BaseDirectory, "Oracle", fileName);

    /// <summary>Every case of both files, the seed file first.</summary>
    public static readonly Lazy<IReadOnlyList<OracleCase>> Cases = new(() => FileNames.SelectMany(f => Load(PathOf(f))).ToList());

    public static IReadOnlyList<OracleCase> Load(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = new List<OracleCase>();
        foreach (JsonElement c in doc.RootElement.EnumerateArray())
        {
            JsonElement p = c.GetProperty("params");
            JsonElement sw = c.GetProperty("sample_weight");
            JsonElement expected = c.GetProperty("expected");
            cases.Add(new OracleCase(
                c.GetProperty("id").GetString()!,
                c.GetProperty("loss").GetString()!,
                p.TryGetProperty("from_logits", out JsonElement fl) && fl.GetBoolean(),
                p.TryGetProperty("label_smoothing", out JsonElement ls) ? ls.GetDouble() : 0.0,
                p.TryGetProperty("axis", out JsonElement ax) ? ax.GetInt32() : -1,
                p.GetProperty("reduction").GetString() switch
                {
                    "none" => Reduction.None,
                    "sum" => Reduction.Sum,
                    _ => Reduction.SumOverBatchSize,
                },
                p.TryGetProperty("ignore_class", out JsonElement ic) && ic.ValueKind == JsonValueKind.Number ? ic.GetInt32() : null,
                OracleTensor.Read(c.GetProperty("y_true"), c.TryGetProperty("y_true_shape", out JsonElement ts) ? ts : null),
                OracleTensor.Read(c.GetProperty("y_pred"), c.TryGetProperty("y_pred_shape", out JsonElement ps) ? ps : null),
                sw.ValueKind == JsonValueKind.Null ? null : OracleTensor.Read(sw),
                sw.ValueKind == JsonValueKind.Number,
                OracleTensor.Read(expected),
                expected.ValueKind != JsonValueKind.Array,
                c.GetProperty("dtype").GetString() == "float64",
                c.GetProperty("rtol").GetDouble(),
                c.GetProperty("atol").GetDouble(),
                c.TryGetProperty("source", out JsonElement src) ? src.GetString() ?? "" : "",
                p.TryGetProperty("delta", out JsonElement delta) ? delta.GetDouble() : 1.0,
                p.TryGetProperty("apply_class_balancing", out JsonElement acb) && acb.GetBoolean(),
                p.TryGetProperty("alpha", out JsonElement alpha) ? OracleTensor.Read(alpha).Values : [0.25],
                p.TryGetProperty("alpha", out JsonElement alphaKind) && alphaKind.ValueKind == JsonValueKind.Array,
                p.TryGetProperty("gamma", out JsonElement gamma) ? gamma.GetDouble() : 2.0));
        }
        return cases;
    }
}
