using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace DslLosses.Tests.Fuzzing;

/// <summary>
/// A formula body as a tree of text templates: <see cref="Format"/> holds <c>{0}</c>, <c>{1}</c>, ... for the children.
/// Shrinking replaces a node by one of its children (or a leaf) while the failure persists.
/// </summary>
public sealed record Node(string Format, bool Row, Node[] Kids)
{
    public string Text => Kids.Length == 0 ? Format : string.Format(System.Globalization.CultureInfo.InvariantCulture, Format, Kids.Select(k => (object)k.Text).ToArray());

    public int Size => 1 + Kids.Sum(k => k.Size);

    /// <summary>Smaller trees, simplest first: each child that can stand in for this node, then this node with a child shrunk.</summary>
    public IEnumerable<Node> Shrinks()
    {
        foreach (Node k in Kids.Where(k => k.Row == Row))
            yield return k;
        if (!Row && Kids.Length > 0)
            yield return RandomFormula.Leaf("p");
        for (int i = 0; i < Kids.Length; i++)
        {
            foreach (Node smaller in Kids[i].Shrinks())
            {
                var kids = (Node[])Kids.Clone();
                kids[i] = smaller;
                yield return this with { Kids = kids };
            }
        }
    }

    /// <summary>
    /// Whether the loss depends on <paramref name="name"/> through an operation with a derivative: it is named in a
    /// template (or is this leaf) or in a child, except in the condition of <see cref="RandomFormula.WhereFormat"/>.
    /// </summary>
    public bool Reaches(string name)
        => Regex.IsMatch(Kids.Length == 0 ? Format : Regex.Replace(Format, @"\{\d\}", " "), @"(?<![\w.])" + Regex.Escape(name) + @"(?!\w)")
           || Kids.Where((k, i) => !(i == 1 && Format == RandomFormula.WhereFormat)).Any(k => k.Reaches(name));
}

/// <summary>The kinds of formula parameter the random formulas declare.</summary>
public enum ParamKind
{
    Tensor,
    Indices,
    Scalar,
}

/// <summary>One parameter of a random formula: its symbolic shape (none for a Scalar) and whether it is marked <c>[Differentiable]</c>.</summary>
public sealed record Param(string Name, ParamKind Kind, string[] Dims, bool Marked)
{
    public string Declaration
    {
        get
        {
            var attributes = new List<string>();
            if (Marked)
                attributes.Add("Differentiable");
            if (Kind != ParamKind.Scalar)
                attributes.Add("Shape(" + string.Join(", ", Dims.Select(d => "\"" + d + "\"")) + ")");
            string type = Kind switch { ParamKind.Tensor => "TensorExpr", ParamKind.Indices => "Indices", _ => "Scalar" };
            return (attributes.Count > 0 ? "[" + string.Join(", ", attributes) + "] " : "") + type + " " + Name;
        }
    }
}

/// <summary>A random formula's parameter list: which family it belongs to, and its parameters in order.</summary>
public sealed record Signature(string Family, Param[] Params)
{
    /// <summary>Whether the formula is generated for Half too (else float and double: less code to compile).</summary>
    public bool Half { get; init; } = true;

    /// <summary>The <c>ElementTypes</c> of the formula's <c>[Loss]</c>.</summary>
    public string ElementTypes => Half ? "LossElementTypes.All" : "LossElementTypes.Single | LossElementTypes.Double";

    public string Text => string.Join(", ", Params.Select(p => p.Declaration));

    public int IndexOf(string name) => Array.FindIndex(Params, p => p.Name == name);

    /// <summary>The same parameters with only <paramref name="name"/> marked <c>[Differentiable]</c>.</summary>
    public Signature MarkedOnly(string name) => this with { Params = Params.Select(p => p with { Marked = p.Name == name }).ToArray() };

    /// <summary>The marked tensors the loss depends on differentiably, in parameter order: the gradient destinations.</summary>
    public List<string> DifferentiableTensors(Node body) => Params.Where(p => p.Marked && p.Kind == ParamKind.Tensor && body.Reaches(p.Name)).Select(p => p.Name).ToList();

    /// <summary>The marked Scalars the loss depends on differentiably: the gradients returned as <c>out</c> values.</summary>
    public List<string> DifferentiableScalars(Node body) => Params.Where(p => p.Marked && p.Kind == ParamKind.Scalar && body.Reaches(p.Name)).Select(p => p.Name).ToList();

    /// <summary>
    /// The tensors that get a formula of their own, marked on that tensor alone, to compare the fused gradient with
    /// bit for bit: every gradient destination, when the formula has more than one gradient.
    /// </summary>
    public List<string> Companions(Node body)
    {
        List<string> tensors = DifferentiableTensors(body);
        return tensors.Count + DifferentiableScalars(body).Count > 1 ? tensors : new List<string>();
    }
}

/// <summary>
/// Random well-typed formulas over the DSL, in three families of signatures:
/// <list type="bullet">
/// <item><c>plain</c> (<c>y</c>, <c>p</c> marked, <c>s</c>, <c>k</c>): elementwise expressions over <c>y</c>, <c>p</c>, <c>s</c> and
/// constants, row reductions and normalisations along the loss axis, gathers at the class indices <c>k</c>, and their
/// mixtures; some are wrapped in <c>Masked(..., k != 0)</c> (Keras's <c>ignore_class</c>, here class 0);</item>
/// <item><c>multi</c>: the same over two prediction-like tensors <c>p</c> and <c>q</c>, a per-class vector <c>w</c> and
/// the Scalar <c>s</c>, with 1 to 3 of them marked <c>[Differentiable]</c> (at least one tensor);</item>
/// <item><c>axes</c>: rank-3 and rank-4 inputs reduced over several trailing axes (<c>axes: [...]</c>,
/// <c>NonBatchAxes</c>, each operation spelling the same axes its own way), with a tensor <c>r</c> of the kept axes in
/// the row expressions; <c>p</c> marked, and sometimes <c>y</c> and <c>s</c> too.</item>
/// </list>
/// Logs, exps and powers get clipped arguments, so every input is in the domain.
/// </summary>
public static class RandomFormula
{
    /// <summary>The text the masked formulas start with: their rows with class index 0 are taken out.</summary>
    public const string MaskPrefix = "Masked(";

    /// <summary>The one template whose second child is only compared (no derivative flows through it).</summary>
    public const string WhereFormat = "Where({0} > {1}, {2}, {0})";

    private static readonly string[] Unary =
    {
        "-({0})", "Abs({0})", "Square({0})", "Exp(Clip({0}, -4, 4))", "Log(Clip({0}, 0.05, 20))", "Log1p(Abs({0}))",
        "Sqrt(Abs({0}) + 0.25)", "Sigmoid({0})", "Softplus({0})", "Clip({0}, -2, 2)", "Pow(Clip({0}, 0.2, 3), 1.5)",
        "({0} * s)", "({0} + 0.5)", "(1 - {0})", "Max({0}, 0)", "Min({0}, -1)",
    };

    private static readonly string[] Binary =
    {
        "({0} + {1})", "({0} - {1})", "({0} * {1})", "({0} / (Abs({1}) + 1))", "Max({0}, {1})", "Min({0}, {1})",
        "Pow(Clip({0}, 0.2, 3), Clip({1}, -2, 2))",
    };

    private static readonly string[] Ternary = { "Clip({0}, {1}, {2})", WhereFormat };

    private static readonly string[] RowOf =
    {
        "Mean({0}, -1)", "Sum({0}, -1)", "Max({0}, axis: -1)", "Min({0}, axis: -1)", "LogSumExp(Clip({0}, -10, 10), -1)",
        "-Sum(y * LogSoftmax({0}, -1), -1)", "Mean(Softmax({0}, -1) * y, -1)", "Gather({0}, k, -1)",
        "-Gather(LogSoftmax({0}, -1), k, -1)", "Gather(Softmax({0}, -1), k, -1)",
    };

    /// <summary>The row operations over several axes: each <c>@</c> becomes one spelling of the formula's axes.</summary>
    private static readonly string[] RowOfAxes =
    {
        "Mean({0}, axes: @)", "Sum({0}, axes: @)", "Max({0}, axes: @)", "Min({0}, axes: @)", "LogSumExp(Clip({0}, -10, 10), axes: @)",
        "-Sum(y * LogSoftmax({0}, axes: @), axes: @)", "Mean(Softmax({0}, axes: @) * y, axes: @)",
    };

    /// <summary>What a family's formulas are made of.</summary>
    private sealed record Grammar(Random Random, string[] Leaves, string[] RowTemplates, string[] Spellings, string? RowTensor, bool Masks)
    {
        public string RowTemplate()
        {
            string template = RowTemplates[Random.Next(RowTemplates.Length)];
            return Regex.Replace(template, "@", _ => Spellings[Random.Next(Spellings.Length)]);
        }
    }

    public static Node Leaf(string text) => new(text, false, Array.Empty<Node>());

    private static Param Tensor(string name, bool marked, params string[] dims) => new(name, ParamKind.Tensor, dims, marked);

    /// <summary>A random formula of a random family: its signature and its body.</summary>
    public static (Signature Signature, Node Body) Next(Random random)
    {
        int family = random.Next(4);
        if (family < 2)
        {
            var plain = new Signature("plain", new[]
            {
                Tensor("y", false, "B", "N"), Tensor("p", true, "B", "N"), new Param("s", ParamKind.Scalar, Array.Empty<string>(), false),
                new Param("k", ParamKind.Indices, new[] { "B" }, false),
            });
            return (plain, Body(new Grammar(random, new[] { "p" }, RowOf, Array.Empty<string>(), null, true)));
        }
        if (family == 2)
        {
            // 1 to 3 of p, q, w, s marked, at least one of them a tensor
            string[] candidates = { "p", "q", "w", "s" };
            var marked = new HashSet<string>(candidates.OrderBy(_ => random.Next()).Take(1 + random.Next(3)));
            if (marked.SetEquals(new[] { "s" }))
                marked.Add(candidates[random.Next(3)]);
            var multi = new Signature("multi", new[]
            {
                Tensor("y", false, "B", "N"), Tensor("p", marked.Contains("p"), "B", "N"), Tensor("q", marked.Contains("q"), "B", "N"),
                Tensor("w", marked.Contains("w"), "N"), new Param("s", ParamKind.Scalar, Array.Empty<string>(), marked.Contains("s")),
                new Param("k", ParamKind.Indices, new[] { "B" }, false),
            });
            return (multi with { Half = random.Next(3) == 0 }, Body(new Grammar(random, new[] { "p", "q", "w", "p", "q" }, RowOf, Array.Empty<string>(), null, true)));
        }
        // several trailing axes of a rank-3 or rank-4 shape; every operation names them, each in its own spelling
        bool four = random.Next(2) == 0;
        bool two = !four || random.Next(2) == 0; // the last two axes, else the last three
        string[] dims = four ? new[] { "B", "T", "H", "W" } : new[] { "B", "H", "W" };
        string[] spellings = (four, two) switch
        {
            (false, _) => new[] { "[1, 2]", "[-2, -1]", "[2, 1]", "NonBatchAxes" },
            (true, true) => new[] { "[2, 3]", "[-2, -1]", "[3, 2]", "[-1, 2]" },
            _ => new[] { "[1, 2, 3]", "[-3, -2, -1]", "[3, 1, 2]", "NonBatchAxes" },
        };
        string[] kept = dims.Take(dims.Length - (two ? 2 : 3)).ToArray();
        bool row = random.Next(2) == 0;
        var parameters = new List<Param>
        {
            Tensor("y", random.Next(4) == 0, dims), Tensor("p", true, dims), new Param("s", ParamKind.Scalar, Array.Empty<string>(), random.Next(3) == 0),
        };
        if (row)
            parameters.Add(Tensor("r", false, kept));
        var axes = new Signature("axes", parameters.ToArray()) { Half = random.Next(3) == 0 };
        Node body = Body(new Grammar(random, new[] { "p" }, RowOfAxes, spellings, row ? "r" : null, false));
        // a tensor of the kept axes fits only a formula that reduces them
        if (row && !body.Text.Contains("axes:", StringComparison.Ordinal))
            axes = axes with { Params = axes.Params.Where(p => p.Name != "r").ToArray() };
        return (axes, body);
    }

    private static Node Body(Grammar g)
    {
        int top = g.Random.Next(10);
        if (top < 3 && g.RowTensor is null)
            return Elem(g, 3, rows: false);
        if (top < 5)
            return Elem(g, 3, rows: true);
        Node rows = RowExpr(g, 2);
        return top < 8 || !g.Masks ? rows : new Node(MaskPrefix + "{0}, k != 0)", true, new[] { rows });
    }

    private static Node RowExpr(Grammar g, int depth)
    {
        Random random = g.Random;
        if (depth > 0 && random.Next(4) == 0)
            return new Node(random.Next(3) switch { 0 => "({0} + {1})", 1 => "({0} * {1})", _ => "Max({0}, {1})" }, true, new[] { RowExpr(g, depth - 1), RowExpr(g, depth - 1) });
        if (depth > 0 && random.Next(5) == 0)
        {
            string[] wraps = g.RowTensor is { } r ? new[] { "Log1p(Abs({0}))", "({0} * s)", "({0} * " + r + ")", "({0} + " + r + ")" } : new[] { "Log1p(Abs({0}))", "({0} * s)" };
            return new Node(wraps[random.Next(wraps.Length)], true, new[] { RowExpr(g, depth - 1) });
        }
        return new Node(g.RowTemplate(), true, new[] { Elem(g, 3, rows: depth > 1 && random.Next(3) == 0) });
    }

    private static Node Elem(Grammar g, int depth, bool rows)
    {
        Random random = g.Random;
        if (depth == 0 || random.Next(4) == 0)
        {
            if (rows && random.Next(3) == 0)
                return RowExpr(g, 0) with { Row = false };
            return random.Next(6) switch
            {
                0 => Leaf("y"),
                1 => Leaf("s"),
                2 => Leaf(new[] { "0.5", "2", "1.5", "-1", "3" }[random.Next(5)]),
                _ => Leaf(g.Leaves[random.Next(g.Leaves.Length)]),
            };
        }
        int kind = random.Next(10);
        if (kind < 4)
            return new Node(Unary[random.Next(Unary.Length)], false, new[] { Elem(g, depth - 1, rows) });
        if (kind < 9)
            return new Node(Binary[random.Next(Binary.Length)], false, new[] { Elem(g, depth - 1, rows), Elem(g, depth - 1, rows) });
        return new Node(Ternary[random.Next(Ternary.Length)], false, new[] { Elem(g, depth - 1, rows), Elem(g, depth - 1, rows), Elem(g, depth - 1, rows) });
    }
}
