using System;
using System.Linq;
using System.Reflection;

namespace DslLosses.Tests.Infrastructure;

/// <summary>
/// Generated kernel bodies by reflection, named by their compute type: <c>__X_LossInFloat</c> is the float body when the
/// formula has one, else the body generic over the compute type (<c>__X_LossIn&lt;TS, TF, ...&gt;</c>) made for float.
/// </summary>
internal static class GeneratedBodies
{
    public static TDelegate Body<TDelegate>(Type owner, string name, params Type[] arguments) where TDelegate : Delegate
    {
        const BindingFlags flags = BindingFlags.NonPublic | BindingFlags.Static;
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
}
