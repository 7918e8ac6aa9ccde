namespace XenMatchbox.TestServer;

/// <summary>The key type of generated test certificates.</summary>
public enum KeyAlgorithm
{
    /// <summary>ECDSA P-256: fast to generate, the default.</summary>
    Ecdsa,

    /// <summary>RSA 2048, like matchbox's cert-gen script (which uses 4096 for its CA).</summary>
    Rsa,
}
