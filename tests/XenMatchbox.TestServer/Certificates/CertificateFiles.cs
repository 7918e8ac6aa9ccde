namespace XenMatchbox.TestServer;

/// <summary>PEM files of a test PKI, named as matchbox's cert-gen script names them.</summary>
/// <param name="CaFile"><c>ca.crt</c>: the CA that signs server and client certificates.</param>
/// <param name="ServerCertFile"><c>server.crt</c>.</param>
/// <param name="ServerKeyFile"><c>server.key</c>: unencrypted PKCS#8.</param>
/// <param name="ClientCertFile"><c>client.crt</c>.</param>
/// <param name="ClientKeyFile"><c>client.key</c>: unencrypted PKCS#8.</param>
public sealed record CertificateFiles(
    string CaFile, string ServerCertFile, string ServerKeyFile, string ClientCertFile, string ClientKeyFile)
{
    /// <summary>The files the gRPC listener needs.</summary>
    public ServerTlsFiles Server => new(CaFile, ServerCertFile, ServerKeyFile);
}
