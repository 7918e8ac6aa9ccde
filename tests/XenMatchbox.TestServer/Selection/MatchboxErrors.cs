namespace XenMatchbox.TestServer;

/// <summary>matchbox's exact NOT_FOUND messages, which clients may match on.</summary>
internal static class MatchboxErrors
{
    public const string NoMatchingGroup = "matchbox: No matching Group";
    public const string NoMatchingProfile = "matchbox: No matching Profile";
}

/// <summary>Selection found nothing; the message is one of <see cref="MatchboxErrors"/>.</summary>
internal sealed class NoMatchException(string message) : Exception(message);
