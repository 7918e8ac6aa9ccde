// XenMatchbox.Build.UnionGetters — post-compile fixer for F# assemblies under NativeAOT.
//
// The F# compiler emits the getters of union-case field properties (on the case classes and on their
// @DebugTypeProxy classes) without the `specialname` flag; record field getters have it.
// NativeAOT's compiler (ILC) keeps a property's custom attributes only when its getter is
// special-name, so the `CompilationMapping` attributes on those properties vanish and FSharp.Core's
// reflection (FSharpType.GetUnionCases / FSharpValue.PreComputeUnionConstructor, used by Argu) sees
// every case as field-less at run time. This tool sets `specialname` on every property getter whose
// property carries `CompilationMappingAttribute`, and touches nothing else.
//
// Usage: dotnet XenMatchbox.Build.UnionGetters.dll [--check] [-r:<reference.dll>]... [@<file>] <assembly.dll>
//   -r:<path> (or one path per line in an @response file): the assembly's compile references, used to
//   resolve the enum types in custom attribute blobs when the module is written back.
//   Rewrites <assembly.dll> in place (with its portable/embedded pdb) when at least one getter needs
//   the flag; does not write at all when none does (idempotent, timestamps untouched). Prints one
//   line: "UnionGetters: <n> getter(s) marked specialname in <file> (<m> already set)".
//   --check: report only, never write; exit code 1 when a getter still lacks the flag.
// Exit codes: 0 ok, 1 --check found unfixed getters, 2 usage, 3 failure.

using System.Reflection.PortableExecutable;
using Mono.Cecil;
using Mono.Cecil.Cil;

const string CompilationMapping = "Microsoft.FSharp.Core.CompilationMappingAttribute";

var check = false;
string? input = null;
var references = new List<string>();
var expanded = new List<string>();
foreach (var arg in args)
{
    if (arg.StartsWith('@'))
    {
        expanded.AddRange(File.ReadAllLines(arg[1..])
            .Select(l => l.Trim())
            .Where(l => l.Length > 0)
            .Select(l => l.StartsWith("-r:", StringComparison.Ordinal) ? l : "-r:" + l));
    }
    else
    {
        expanded.Add(arg);
    }
}

foreach (var arg in expanded)
{
    if (arg == "--check")
    {
        check = true;
    }
    else if (arg.StartsWith("-r:", StringComparison.Ordinal))
    {
        references.Add(Path.GetFullPath(arg[3..]));
    }
    else if (input is null && !arg.StartsWith("--", StringComparison.Ordinal))
    {
        input = arg;
    }
    else
    {
        input = null;
        break;
    }
}

if (input is null)
{
    Console.Error.WriteLine("usage: XenMatchbox.Build.UnionGetters [--check] [-r:<reference.dll>]... [@<file>] <assembly.dll>");
    return 2;
}

var path = Path.GetFullPath(input);
try
{
    return Run(path, check, references);
}
catch (Exception e)
{
    // MSBuild-canonical error format, so the Exec task reports it as an error with a location.
    Console.Error.WriteLine($"{path} : error XMBUG001: UnionGetters failed: {e.GetType().Name}: {e.Message}");
    if (Environment.GetEnvironmentVariable("XMB_UNIONGETTERS_DEBUG") == "1")
    {
        Console.Error.WriteLine(e.ToString());
    }

    return 3;
}

static int Run(string path, bool check, IReadOnlyList<string> references)
{
    if (!File.Exists(path))
    {
        throw new FileNotFoundException("assembly not found", path);
    }

    var directory = Path.GetDirectoryName(path)!;
    var fileName = Path.GetFileName(path);
    var pdbPath = Path.ChangeExtension(path, ".pdb");

    // Read what the compiler wrote into the debug directory, to write the same kind back.
    bool deterministic;
    string? codeViewPath = null;
    using (var pe = new PEReader(File.OpenRead(path)))
    {
        var entries = pe.ReadDebugDirectory();
        deterministic = entries.Any(e => e.Type == DebugDirectoryEntryType.Reproducible);
        foreach (var entry in entries)
        {
            if (entry.Type == DebugDirectoryEntryType.CodeView)
            {
                codeViewPath = pe.ReadCodeViewDebugDirectoryData(entry).Path;
            }
        }
    }

    using var resolver = new ReferenceResolver(references);
    resolver.AddSearchDirectory(directory);
    var readerParameters = new ReaderParameters
    {
        // InMemory: the file is read fully and closed, so it can be replaced afterwards.
        InMemory = true,
        // Deferred: custom attribute blobs stay undecoded and are written back byte for byte.
        ReadingMode = ReadingMode.Deferred,
        AssemblyResolver = resolver,
        ReadSymbols = true,
        // Portable pdb next to the assembly or embedded; a missing pdb is fine, a mismatched one is an error.
        SymbolReaderProvider = new DefaultSymbolReaderProvider(throwIfNoSymbol: false),
    };

    int changed = 0, already = 0;
    using (var module = ModuleDefinition.ReadModule(path, readerParameters))
    {
        foreach (var type in module.GetTypes())
        {
            if (!type.HasProperties)
            {
                continue;
            }

            foreach (var property in type.Properties)
            {
                if (property.GetMethod is not { } getter || !property.HasCustomAttributes)
                {
                    continue;
                }

                // Compare by name only: no attribute blob is decoded, no reference resolved.
                if (!property.CustomAttributes.Any(a => a.AttributeType.FullName == CompilationMapping))
                {
                    continue;
                }

                if (getter.IsSpecialName)
                {
                    already++;
                }
                else
                {
                    if (!check)
                    {
                        getter.IsSpecialName = true;
                    }

                    changed++;
                }
            }
        }

        if (check)
        {
            Console.WriteLine($"UnionGetters: {changed} getter(s) lack specialname in {fileName} ({already} already set)");
            return changed == 0 ? 0 : 1;
        }

        if (changed == 0)
        {
            Console.WriteLine($"UnionGetters: 0 getter(s) marked specialname in {fileName} ({already} already set)");
            return 0;
        }

        // Write into a private temp folder beside the assembly (same file system, same file names so
        // the pdb name recorded in the CodeView entry stays "<name>.pdb"), then move over the originals.
        // The folder name is fixed (not per process) so that a deterministic build stays deterministic.
        var temp = Path.Combine(directory, $".{fileName}.uniongetters.tmp");
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, recursive: true);
        }

        Directory.CreateDirectory(temp);
        try
        {
            var tempDll = Path.Combine(temp, fileName);
            var tempPdb = Path.ChangeExtension(tempDll, ".pdb");
            var embedded = module.SymbolReader is EmbeddedPortablePdbReader;
            module.Write(tempDll, new WriterParameters
            {
                WriteSymbols = module.HasSymbols,
                SymbolWriterProvider = module.HasSymbols
                    ? (embedded ? new EmbeddedPortablePdbWriterProvider() : new PortablePdbWriterProvider())
                    : null,
                // The compiler's build was deterministic: derive MVID and pdb id from the content again.
                DeterministicMvid = deterministic,
            });

            if (module.HasSymbols && !embedded && codeViewPath is not null)
            {
                RestoreCodeViewPath(tempDll, codeViewPath);
            }

            // Dispose the module (and its symbol reader's pdb handle) before replacing files.
            module.Dispose();

            File.Move(tempDll, path, overwrite: true);
            if (File.Exists(tempPdb))
            {
                File.Move(tempPdb, pdbPath, overwrite: true);
            }
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    Console.WriteLine($"UnionGetters: {changed} getter(s) marked specialname in {fileName} ({already} already set)");
    return 0;
}

// Cecil records the full path of the pdb it wrote (the temp folder) in the CodeView entry. Put the
// compiler's original path back: it is always shorter than the temp path, and the entry is
// NUL-terminated, so it is written in place and the rest of the field zero-filled.
static void RestoreCodeViewPath(string dll, string originalPath)
{
    int offset, size;
    string written;
    using (var pe = new PEReader(File.OpenRead(dll)))
    {
        var entry = pe.ReadDebugDirectory().Single(e => e.Type == DebugDirectoryEntryType.CodeView);
        written = pe.ReadCodeViewDebugDirectoryData(entry).Path;
        offset = entry.DataPointer;
        size = entry.DataSize;
    }

    if (written == originalPath)
    {
        return;
    }

    // Layout: "RSDS" (4) + guid (16) + age (4) + UTF-8 path + NUL.
    const int PathStart = 24;
    var bytes = System.Text.Encoding.UTF8.GetBytes(originalPath);
    if (bytes.Length + 1 > size - PathStart)
    {
        return; // does not fit: leave Cecil's path (the file name part is the same anyway)
    }

    var field = new byte[size - PathStart];
    bytes.CopyTo(field, 0);
    using var stream = new FileStream(dll, FileMode.Open, FileAccess.Write);
    stream.Position = offset + PathStart;
    stream.Write(field);
}

// Resolves by simple name from the explicit reference list first (exactly what the compiler saw),
// then falls back to Cecil's default search (the assembly's own folder).
sealed class ReferenceResolver : DefaultAssemblyResolver
{
    private readonly Dictionary<string, string> byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AssemblyDefinition> cache = new(StringComparer.OrdinalIgnoreCase);

    public ReferenceResolver(IEnumerable<string> references)
    {
        foreach (var reference in references)
        {
            byName.TryAdd(Path.GetFileNameWithoutExtension(reference), reference);
        }
    }

    public override AssemblyDefinition Resolve(AssemblyNameReference name)
    {
        if (cache.TryGetValue(name.Name, out var cached))
        {
            return cached;
        }

        if (byName.TryGetValue(name.Name, out var file) && File.Exists(file))
        {
            var assembly = AssemblyDefinition.ReadAssembly(file, new ReaderParameters { AssemblyResolver = this });
            cache[name.Name] = assembly;
            return assembly;
        }

        return base.Resolve(name);
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var assembly in cache.Values)
        {
            assembly.Dispose();
        }

        cache.Clear();
        base.Dispose(disposing);
    }
}
