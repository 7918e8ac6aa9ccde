using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// Fetches the detached signature beside a URL (Trust.signatureUrl: <c>/ipxe.sig?…</c>,
/// <c>URL.sig</c>) and readies its check against the operator's keys, before a byte of what it
/// covers is used. A signature the server does not have is XMB-703, one too large XMB-704
/// (Fetch.signatureError); one that is no OpenPGP signature XMB-704; the rest as Trust.choose judges.
/// </summary>
internal static class SignatureFetch
{
    public static async Task<SignatureCheck> PrepareAsync(AssetHttp http, Signed signed, Profile.AssetUrl at, KeyRing keys, CancellationToken cancel)
    {
        byte[] bytes;
        try
        {
            bytes = await http.GetSmallAsync(at, Trust.MaxSignatureBytes, cancel);
        }
        catch (BootFailure failure) when (Fetch.signatureError(signed, at.Shown, Fetch.SignatureFailure.NewRefused(failure.Error)) is var error
                                          && !ReferenceEquals(error, failure.Error))
        {
            throw new BootFailure(error, failure);
        }
        catch (FileTooLargeException e)
        {
            throw new BootFailure(Fetch.signatureError(signed, at.Shown, Fetch.SignatureFailure.NewOversized(e.Message)), e);
        }
        return SignatureCheck.Prepare(signed, at.Shown, bytes, keys, DateTimeOffset.UtcNow);
    }
}
