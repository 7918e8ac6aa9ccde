namespace XenMatchbox.TestServer;

/// <summary>The gRPC listener's PEM files, as matchbox's <c>-ca-file</c>, <c>-cert-file</c> and <c>-key-file</c>.</summary>
/// <param name="CaFile">Every certificate in it is trusted to sign client certificates.</param>
/// <param name="CertFile">The server certificate.</param>
/// <param name="KeyFile">The server certificate's unencrypted private key.</param>
public sealed record ServerTlsFiles(string CaFile, string CertFile, string KeyFile);
