using System.Globalization;

namespace DslLosses.Generator.Emitting;

/// <summary>An element type the kernels are emitted for, and the type they compute in.</summary>
internal sealed record DType(string Name, string Type, string Compute, string Math, int Flag)
{
    public static readonly DType Single = new("Single", "float", "float", "global::System.MathF", 1);
    public static readonly DType Double = new("Double", "double", "double", "global::System.Math", 2);
    public static readonly DType Half = new("Half", "global::System.Half", "float", "global::System.MathF", 4);

    public static readonly DType[] All = { Single, Double, Half };

    /// <summary>The compute types the kernel bodies are written in: float (for float and Half data) and double.</summary>
    public static readonly DType[] ComputeFamilies = { Single, Double };

    /// <summary>The element type whose kernel bodies this one runs: float data and Half data both compute in float.</summary>
    public DType ComputeFamily => Compute == "float" ? Single : Double;

    /// <summary>Whether values are stored in another type than they are computed in.</summary>
    public bool Widens => Type != Compute;

    /// <summary>A constant rounded to the compute type, as a C# literal the compiler reads back exactly.</summary>
    public string Literal(double value)
    {
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

    /// <summary>Reads a stored element into the compute type.</summary>
    public string Load(string storage) => Widens ? "(" + Compute + ")" + storage : storage;

    /// <summary>Rounds a computed value once into the stored type.</summary>
    public string Store(string value) => Widens ? "(" + Type + ")(" + value + ")" : value;
}
