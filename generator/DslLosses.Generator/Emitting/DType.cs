using System;
using System.Globalization;

namespace DslLosses.Generator.Emitting;

/// <summary>An element type the kernels are emitted for, and the type they compute in.</summary>
internal sealed record DType(string Name, string Type, string Compute, string Math, int Flag)
{
    public static readonly DType Single = new("Single", "float", "float", "MathF", 1);
    public static readonly DType Double = new("Double", "double", "double", "Math", 2);
    public static readonly DType Half = new("Half", "global::System.Half", "float", "MathF", 4);

    /// <summary>
    /// The compute type as the type parameter <c>TF</c> of a body written once for float and double (where the plan's
    /// float and double choices agree): constants and scalar functions go through the runtime's generic
    /// <c>LossMath</c> members, which the JIT folds to what a float or a double body calls.
    /// </summary>
    public static readonly DType Generic = new("Generic", "TF", "TF", "LossMath", 0);

    public static readonly DType[] All = { Single, Double, Half };

    /// <summary>The compute types the kernel bodies are written in: float (for float and Half data) and double.</summary>
    public static readonly DType[] ComputeFamilies = { Single, Double };

    /// <summary>The element type whose kernel bodies this one runs: float data and Half data both compute in float.</summary>
    public DType ComputeFamily => Compute == "float" ? Single : Double;

    /// <summary>Whether values are stored in another type than they are computed in.</summary>
    public bool Widens => Type != Compute;

    /// <summary>Whether this is <see cref="Generic"/>: the compute type is the body's type parameter <c>TF</c>.</summary>
    public bool IsGeneric => Compute == "TF";

    /// <summary>A constant rounded to the compute type, as a C# literal the compiler reads back exactly.</summary>
    public string Literal(double value)
    {
        if (IsGeneric)
            return GenericLiteral(value);
        if (Compute == "float")
        {
            float f = (float)value;
            if (float.IsNaN(f))
                return "float.NaN";
            if (float.IsPositiveInfinity(f))
                return "float.PositiveInfinity";
            if (float.IsNegativeInfinity(f))
                return "float.NegativeInfinity";
            string text = f.ToString("R", CultureInfo.InvariantCulture) + "f";
            return text[0] == '-' ? "(" + text + ")" : text;
        }
        if (double.IsNaN(value))
            return "double.NaN";
        if (double.IsPositiveInfinity(value))
            return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(value))
            return "double.NegativeInfinity";
        string d = value.ToString("R", CultureInfo.InvariantCulture);
        if (d.IndexOfAny(new[] { '.', 'E', 'e' }) < 0)
            d += ".0";
        return d[0] == '-' ? "(" + d + ")" : d;
    }

    /// <summary>
    /// A constant in <c>TF</c>: <c>TF.Zero</c>, <c>TF.One</c> and the special values by name; a value float holds as
    /// double does (or that rounds to float as written) by its double literal; any other with both its float and its
    /// double literal, so each compute type reads exactly what its own literal would give.
    /// </summary>
    private static string GenericLiteral(double value)
    {
        if (double.IsNaN(value))
            return "TF.NaN";
        if (double.IsPositiveInfinity(value))
            return "TF.PositiveInfinity";
        if (double.IsNegativeInfinity(value))
            return "TF.NegativeInfinity";
        if (BitConverter.DoubleToInt64Bits(value) == 0)
            return "TF.Zero";
        if (value == 1)
            return "TF.One";
        string d = Double.Literal(value);
        if ((double)(float)value == value)
            return "LossMath.Constant<TF>(" + Unparenthesized(d) + ")";
        return "LossMath.Constant<TF>(" + Unparenthesized(Single.Literal(value)) + ", " + Unparenthesized(d) + ")";
    }

    private static string Unparenthesized(string literal) => literal[0] == '(' ? literal.Substring(1, literal.Length - 2) : literal;

    /// <summary>Reads a stored element into the compute type.</summary>
    public string Load(string storage) => Widens ? "(" + Compute + ")" + storage : storage;

    /// <summary>Rounds a computed value once into the stored type.</summary>
    public string Store(string value) => Widens ? "(" + Type + ")(" + value + ")" : value;
}
