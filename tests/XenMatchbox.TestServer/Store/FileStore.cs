namespace XenMatchbox.TestServer;

/// <summary>
/// matchbox's on-disk layout: <c>groups/*.json</c> and <c>profiles/&lt;id&gt;.json</c> under a data
/// directory, re-read on every request so edits take effect on the next one.
/// </summary>
/// <param name="dataPath">The data directory (matchbox's <c>-data-path</c>).</param>
public sealed class FileStore(string dataPath) : IMatchboxStore
{
    /// <summary>The data directory, as an absolute path.</summary>
    public string DataPath { get; } = Path.GetFullPath(dataPath);

    /// <inheritdoc />
    /// <remarks>
    /// Like matchbox: each entry's name loses its last extension and <c>groups/&lt;name&gt;.json</c> is
    /// read; entries that cannot be read or parsed are skipped. Entries are visited in name order.
    /// </remarks>
    public async ValueTask<IReadOnlyList<MatchboxGroup>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Join(DataPath, "groups");
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries(directory);
        }
        catch (DirectoryNotFoundException)
        {
            // The text matchbox (Go) reports for this case, which SelectGroup passes on as UNKNOWN.
            throw new IOException($"open {directory}: no such file or directory");
        }
        var names = entries.Select(Path.GetFileName).OfType<string>().ToArray();
        Array.Sort(names, Utf8Ordinal.Comparer);

        var groups = new List<MatchboxGroup>(names.Length);
        foreach (var name in names)
        {
            var file = Path.Join(directory, WithoutExtension(name) + ".json");
            if (await TryReadAsync(file, cancellationToken) is { } json && GroupJson.TryParse(json, out var group))
            {
                groups.Add(group);
            }
        }
        return groups;
    }

    /// <inheritdoc />
    /// <remarks>Missing, unparsable and empty-id profiles are all null, as matchbox treats them alike.</remarks>
    public async ValueTask<MatchboxProfile?> GetProfileAsync(string id, CancellationToken cancellationToken)
    {
        var file = BelowDataPath($"profiles/{id}.json");
        return await TryReadAsync(file, cancellationToken) is { } json && ProfileJson.TryParse(json, out var profile)
            ? profile
            : null;
    }

    // Go's filepath.Ext: everything from the last dot of the name.
    private static string WithoutExtension(string name) =>
        name.LastIndexOf('.') is var dot and >= 0 ? name[..dot] : name;

    // matchbox cleans a relative name as if rooted, so ".." segments cannot leave the data directory.
    private string BelowDataPath(string relative) =>
        Path.Join(DataPath, Path.GetFullPath("/" + relative).TrimStart('/'));

    private static async Task<byte[]?> TryReadAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(file, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
