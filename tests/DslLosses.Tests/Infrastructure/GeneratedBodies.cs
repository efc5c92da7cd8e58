using System;
using System.Linq;
using System.Reflection;

namespace DslLosses.Tests.Infrastructure;

/// <summary>
/// Generated kernel bodies by reflection, named by their compute type: <c>__X_LossInFloat</c> is the float body when the
/// formula has one, else the body generic over the compute type (<c>__X_LossIn&lt;TS, TF, ...&gt;</c>) made for float.
/// The bodies live in the file-local class <c>Implementation</c> the generator writes beside the formulas' type, in
/// namespace <c>DslLosses.Generated</c> (metadata name <c>&lt;file name&gt;F…__Implementation</c>).
/// </summary>
internal static class GeneratedBodies
{
    public static TDelegate Body<TDelegate>(Type formulas, string name, params Type[] arguments) where TDelegate : Delegate
    {
        const BindingFlags flags = BindingFlags.NonPublic | BindingFlags.Static;
        Type owner = Implementation(formulas);
        MethodInfo? method = owner.GetMethod(name, flags);
        if (method is null && (name.EndsWith("InFloat", StringComparison.Ordinal) || name.EndsWith("InDouble", StringComparison.Ordinal)))
        {
            // the one body of both compute types: the compute type is its second type argument, after the storage type
            Type compute = name.EndsWith("InFloat", StringComparison.Ordinal) ? typeof(float) : typeof(double);
            method = owner.GetMethod(name.Substring(0, name.LastIndexOf("In", StringComparison.Ordinal) + 2), flags);
            arguments = arguments.Take(1).Append(compute).Concat(arguments.Skip(1)).ToArray();
        }
        if (method is null)
            throw new InvalidOperationException($"no generated body {owner.Name}.{name}");
        return method.MakeGenericMethod(arguments).CreateDelegate<TDelegate>();
    }

    /// <summary>The generated implementation class of the formulas of <paramref name="formulas"/> (the one of its file).</summary>
    public static Type Implementation(Type formulas)
    {
        // one file-local class per generated file, each named Implementation; its metadata name starts with the file's name
        string file = "<" + formulas.FullName!.Replace('.', '_').Replace('+', '_') + "_g>";
        return formulas.Assembly.GetTypes().SingleOrDefault(t => t.Namespace == "DslLosses.Generated" && t.Name.StartsWith(file, StringComparison.Ordinal) && t.Name.EndsWith("__Implementation", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no generated implementation class of {formulas.FullName}");
    }
}
