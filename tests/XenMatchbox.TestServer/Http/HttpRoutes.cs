namespace XenMatchbox.TestServer;

/// <summary>
/// The HTTP listener's paths, as matchbox serves them: <c>/</c> exactly, <c>/ipxe</c>, and
/// <c>/assets/…</c> when an assets directory is set; anything else is Go's 404. A fault set for the
/// path replaces the normal answer. No path checks the method, as matchbox's do not.
/// </summary>
internal static class HttpRoutes
{
    public static async Task DispatchAsync(HttpContext context, ServerState state, CancellationToken serverStopping)
    {
        var path = context.Request.Path.Value ?? "/";
        var asset = AssetRequests.Resolve(state.AssetsPath, path);

        if (state.Faults.Take(path) is { } fault)
        {
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping);
            await fault.RespondAsync(context, asset, stopping.Token);
            return;
        }

        if (path == "/")
        {
            await GoResponses.TextAsync(context, StatusCodes.Status200OK, "matchbox\n");
        }
        else if (path == "/ipxe")
        {
            await IpxeAsync(context, state);
        }
        else if (asset is not null)
        {
            await AssetRequests.ServeAsync(context, asset);
        }
        else
        {
            await GoResponses.NotFoundAsync(context);
        }
    }

    // Any failure to select a profile, or a profile without boot settings, is a 404.
    private static async Task IpxeAsync(HttpContext context, ServerState state)
    {
        var query = context.Request.QueryString.Value ?? "";
        var labels = HttpLabels.FromQuery(query.StartsWith('?') ? query[1..] : query);
        string? script;
        try
        {
            var profile = await GroupSelection.SelectProfileAsync(state.Store, labels, context.RequestAborted);
            script = IpxeScript.Render(profile.Boot, state.IpxeStyle);
        }
        catch (NoMatchException)
        {
            script = null;
        }
        await (script is null
            ? GoResponses.NotFoundAsync(context)
            : GoResponses.TextAsync(context, StatusCodes.Status200OK, script));
    }
}
