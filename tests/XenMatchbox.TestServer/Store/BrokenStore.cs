namespace XenMatchbox.TestServer;

/// <summary>
/// A store whose every read fails: gRPC SelectGroup answers UNKNOWN with <see cref="Message"/>,
/// SelectProfile answers NOT_FOUND "matchbox: No matching Group" (matchbox swallows the cause there),
/// and HTTP <c>/ipxe</c> answers 404.
/// </summary>
/// <param name="message">The error text SelectGroup reports.</param>
public sealed class BrokenStore(string message = "broken store: reads always fail") : IMatchboxStore
{
    /// <summary>The error text every read fails with.</summary>
    public string Message { get; } = message;

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MatchboxGroup>> ListGroupsAsync(CancellationToken cancellationToken) =>
        throw new IOException(Message);

    /// <inheritdoc />
    public ValueTask<MatchboxProfile?> GetProfileAsync(string id, CancellationToken cancellationToken) =>
        throw new IOException(Message);
}
