using System.Globalization;
using Xunit.Abstractions;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The mutation property: a good key file or a good signature changed at random (a byte flipped,
/// inserted or deleted, the file cut short, a packet dropped, doubled or moved) never makes
/// xenmatchbox fail as a bug does (exit 1, XMB-900): it boots or refuses with exit 8; and whenever
/// it boots, sqv finds the signature good too. A fixed number of mutations from a seed that is
/// printed (XMB_OPENPGP_SEED chooses another; the keys are new each run, the mutations the seed's).
/// </summary>
[Collection(OpenPgpCorpusCollection.Name)]
public sealed class OpenPgpMutationTests(OpenPgpCorpus corpus, ITestOutputHelper output)
{
    private const int Mutations = 150;
    private const int DefaultSeed = 20261207;

    [Fact]
    public async Task A_mutated_key_file_or_signature_is_never_a_crash_and_never_booted_where_sqv_refuses()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("XMB_OPENPGP_SEED"), CultureInfo.InvariantCulture, out var chosen) ? chosen : DefaultSeed;
        // The keys are made afresh each run: the seed repeats the mutations, on keys of the same shape.
        output.WriteLine($"seed {seed} (XMB_OPENPGP_SEED={seed} repeats these mutations)");
        var random = new Random(seed);
        var m = corpus.Material;
        (string Name, byte[] Key, byte[] Signature)[] bases =
        [
            ("RSA key, its primary signs", m.Rsa.Export, m.RsaSignature),
            ("certify-only key, its subkey signs", m.Sub.Export, m.SubSignature),
        ];
        // The mutations first, from the one seeded sequence; then judged by two workers, each
        // booting its own profile.
        var mutations = new List<(string Line, CaseFiles Files)>();
        for (var i = 0; i < Mutations; i++)
        {
            var (name, key, signature) = bases[i % bases.Length];
            var ofKey = random.Next(2) == 0;
            var (mutated, how) = Mutate(random, ofKey ? key : signature);
            mutations.Add(($"{i}: {name}, {(ofKey ? "key file" : "signature")} {how}", ofKey ? new CaseFiles(m.Kernel, signature, mutated) : new CaseFiles(m.Kernel, mutated, key)));
        }
        var lines = new string[Mutations];
        var failures = new string?[Mutations];
        var booted = 0;
        await Task.WhenAll(OpenPgpCorpus.MutationSlots.Select((slot, worker) => Task.Run(async () =>
        {
            for (var i = worker; i < Mutations; i += OpenPgpCorpus.MutationSlots.Length)
            {
                corpus.WriteSlot(slot, mutations[i].Files);
                var (sqvValid, sqv) = corpus.Sqv(slot);
                using var run = new LibxlRun();
                var boot = await run.BootAsync(corpus.BootArgs(slot));
                var line = lines[i] = $"{mutations[i].Line}: xenmatchbox exit {boot.ExitCode} {boot.ErrorLine}; sqv {(sqvValid ? "valid" : "refused")}";
                if (boot.ExitCode == 0) Interlocked.Increment(ref booted);
                if (boot.ExitCode is not (0 or 8) || boot.ErrorLine.Contains("XMB-900", StringComparison.Ordinal))
                {
                    failures[i] = $"{line} — a crash, not a verdict";
                }
                else if (boot.ExitCode == 0 && !sqvValid)
                {
                    failures[i] = $"{line} — booted what sqv refuses ({sqv})";
                }
            }
        })));
        var log = string.Join("\n", lines) + "\n";
        var wrong = failures.OfType<string>().ToList();
        var path = Path.Combine(corpus.Root, "mutations.txt");
        await File.WriteAllTextAsync(path, $"seed {seed}\n{log}");
        output.WriteLine($"{Mutations} mutations, {booted} booted; each: {path}");
        Assert.True(wrong.Count == 0, $"seed {seed}: {wrong.Count} of {Mutations} mutations went wrong:\n{string.Join("\n", wrong)}");
    }

    /// <summary>One random change of <paramref name="original"/>, and what it was.</summary>
    private static (byte[] Bytes, string How) Mutate(Random random, byte[] original)
    {
        var packets = OpenPgpPackets.Parse(original);
        var kind = random.Next(7);
        // A signature is one packet: dropped it leaves nothing, doubled it is two; it cannot move.
        if (kind == 6 && packets.Count < 2) kind = 5;
        switch (kind)
        {
            case 0:
                {
                    var bytes = (byte[])original.Clone();
                    var at = random.Next(bytes.Length);
                    var bit = 1 << random.Next(8);
                    bytes[at] ^= (byte)bit;
                    return (bytes, $"byte {at} xor 0x{bit:x2}");
                }
            case 1:
                {
                    var at = random.Next(original.Length + 1);
                    var value = (byte)random.Next(256);
                    return ([.. original[..at], value, .. original[at..]], $"0x{value:x2} inserted at {at}");
                }
            case 2:
                {
                    var at = random.Next(original.Length);
                    return ([.. original[..at], .. original[(at + 1)..]], $"byte {at} deleted");
                }
            case 3:
                {
                    var at = random.Next(original.Length);
                    return (original[..at], $"cut to {at} bytes");
                }
            case 4:
                {
                    var at = random.Next(packets.Count);
                    var kept = packets.Where((_, i) => i != at).ToList();
                    return (OpenPgpPackets.Write(kept), $"packet {at} ({packets[at]}) dropped");
                }
            case 5:
                {
                    var at = random.Next(packets.Count);
                    packets.Insert(at, packets[at]);
                    return (OpenPgpPackets.Write(packets), $"packet {at} ({packets[at]}) doubled");
                }
            default:
                {
                    var from = random.Next(packets.Count);
                    var to = random.Next(packets.Count);
                    var moved = packets[from];
                    packets.RemoveAt(from);
                    packets.Insert(to, moved);
                    return (OpenPgpPackets.Write(packets), $"packet {from} ({moved}) moved to {to}");
                }
        }
    }
}
