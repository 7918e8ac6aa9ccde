using Microsoft.Net.Http.Headers;

namespace XenMatchbox.TestServer;

/// <summary>
/// <c>/assets/…</c>: files from the assets directory with Content-Length, Last-Modified, ETag, Range
/// and conditional requests. Directories are not listed (matchbox's Go file server would list them).
/// </summary>
internal static class AssetRequests
{
    public const string Prefix = "/assets/";

    /// <summary>The file a request path names, or null when it names none (or a directory).</summary>
    public static AssetFile? Resolve(string? assetsPath, string requestPath)
    {
        if (assetsPath is null || !requestPath.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            // Cleaned as if rooted, as Go's http.Dir does, so ".." cannot leave the assets directory.
            var relative = Path.GetFullPath("/" + requestPath[Prefix.Length..]).TrimStart('/');
            var file = new FileInfo(Path.Join(assetsPath, relative));
            return file.Exists ? new AssetFile(file) : null;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The ETag a normal answer carries: it changes with the file's time or length.</summary>
    public static EntityTagHeaderValue EntityTag(AssetFile asset) => new($"\"{asset.LastModified.UtcTicks ^ asset.Length:x}\"");

    public static Task ServeAsync(HttpContext context, AssetFile asset) =>
        TypedResults
            .PhysicalFile(asset.Path, asset.ContentType, lastModified: asset.LastModified, entityTag: EntityTag(asset), enableRangeProcessing: true)
            .ExecuteAsync(context);
}
