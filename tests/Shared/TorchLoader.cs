using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace DslLosses.Testing;

/// <summary>
/// Makes TorchSharp-cpu 0.107.0's native bridge load on systems whose libstdc++ is older than GCC 13's (Debian 12 has
/// GLIBCXX_3.4.30; libLibTorchSharp.so asks for GLIBCXX_3.4.32).
/// </summary>
/// <remarks>
/// The only symbol libLibTorchSharp.so takes from GLIBCXX_3.4.31+ is <c>std::ios_base_library_init()</c>, which GCC 13
/// references from every translation unit that includes &lt;iostream&gt; and which no relocation binds: the library never
/// calls it. The dynamic loader refuses the library only because the version requirement is not met. This patch marks
/// those version requirements weak (ELF <c>VER_FLG_WEAK</c>) in the copy of the library in this program's own output
/// folder, before TorchSharp loads it; the NuGet cache and the machine are not touched. On systems whose libstdc++ has
/// the versions, the flag changes nothing.
/// </remarks>
internal static class TorchLoader
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>Patches every copy of libLibTorchSharp.so under the application folder; returns what it did, for the log.</summary>
    public static string EnsureLoadable()
    {
        if (!OperatingSystem.IsLinux())
            return "not Linux: nothing to patch";
        var report = new StringBuilder();
        foreach (string path in Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories))
        {
            int patched = MarkNewGlibcxxWeak(path);
            report.Append(path.Substring(AppContext.BaseDirectory.Length)).Append(": ")
                .Append(patched == 0 ? "no GLIBCXX_3.4.31+ requirement left to relax" : $"{patched} GLIBCXX_3.4.31+ requirement(s) marked weak").Append("; ");
        }
        return report.Length == 0 ? "libLibTorchSharp.so not found under the output folder" : report.ToString();
    }

    private static int MarkNewGlibcxxWeak(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
            return 0; // not a 64-bit little-endian ELF file
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3A));
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3C));
        int changed = 0;
        for (int s = 0; s < shnum; s++)
        {
            var header = elf.AsSpan((int)shoff + s * shentsize, shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(4)) != ShtGnuVerneed)
                continue;
            int offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(0x18));
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(0x28));
            var strtab = elf.AsSpan((int)shoff + link * shentsize, shentsize);
            int strings = (int)BinaryPrimitives.ReadUInt64LittleEndian(strtab.Slice(0x18));
            int need = offset;
            while (true)
            {
                int count = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(need + 2));
                int aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(need + 8));
                for (int a = 0; a < count; a++)
                {
                    int name = strings + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(aux + 8));
                    int end = Array.IndexOf(elf, (byte)0, name);
                    string version = Encoding.ASCII.GetString(elf, name, end - name);
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(aux + 4));
                    if (version.StartsWith("GLIBCXX_3.4.", StringComparison.Ordinal) &&
                        int.TryParse(version.AsSpan("GLIBCXX_3.4.".Length), out int minor) && minor >= 31 && (flags & VerFlgWeak) == 0)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(aux + 4), (ushort)(flags | VerFlgWeak));
                        changed++;
                    }
                    uint nextAux = BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(aux + 12));
                    if (nextAux == 0)
                        break;
                    aux += (int)nextAux;
                }
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(need + 12));
                if (next == 0)
                    break;
                need += (int)next;
            }
        }
        if (changed > 0)
        {
            string temp = path + ".patching";
            File.WriteAllBytes(temp, elf);
            File.Move(temp, path, overwrite: true);
        }
        return changed;
    }
}
