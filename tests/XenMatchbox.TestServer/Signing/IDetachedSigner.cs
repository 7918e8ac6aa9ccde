namespace XenMatchbox.TestServer;

/// <summary>
/// Signs what <c>/ipxe</c> renders, for <c>/ipxe.sig</c> (binary) and <c>/ipxe.asc</c> (armoured), as
/// matchbox does with <c>-key-ring-path</c>: a detached OpenPGP signature of type 0x01 (canonical
/// text) over the body exactly as <c>/ipxe</c> sends it.
/// </summary>
public interface IDetachedSigner
{
    /// <summary>A detached text-mode signature of <paramref name="document"/>, ASCII-armoured when <paramref name="armour"/>.</summary>
    byte[] SignText(byte[] document, bool armour);
}
