namespace XenMatchbox.TestServer;

/// <summary>The help text.</summary>
internal static class Usage
{
    public const string Text = """
        Usage:
          xenmatchbox-testserver serve --data-path DIR [--assets-path DIR] [--address HOST:PORT]
                                       [--rpc-address HOST:PORT --ca-file F --cert-file F --key-file F]
                                       [--ipxe-style current|v0.6.1] [--counters-file F] [--verbose]
                                       [--key-ring-path F]
          xenmatchbox-testserver sign --key-ring-path F FILE...
          xenmatchbox-testserver certs --out DIR [--san 127.0.0.1,localhost] [--key-type ecdsa|rsa]
                                       [--server-expired]

        serve   Serve a matchbox data directory (groups/*.json, profiles/*.json) like matchbox does:
                HTTP on --address (default 127.0.0.1:8080): /, /ipxe, /assets/ (only with --assets-path);
                gRPC rpcpb.Select with mutual TLS on --rpc-address (off unless given; then the CA, cert
                and key files are required). Port 0 picks a free port. Prints one line when ready:
                  ready http=HOST:PORT grpc=HOST:PORT   (grpc=off without --rpc-address)
                and runs until SIGTERM or SIGINT. --verbose logs requests to stderr. --counters-file
                keeps "PATH REQUESTS BODY-BYTES" lines of what HTTP has served in F (for benchmarks).
                --key-ring-path (a secret key, gpg --export-secret-keys, no passphrase) signs /ipxe
                for /ipxe.sig and /ipxe.asc in text mode, as matchbox's -key-ring-path; else 404.
        sign    Write FILE.sig beside each FILE: a detached binary signature by --key-ring-path's key,
                as a distribution publishes beside its kernel and initramfs.
        certs   Write a test PKI as PEM files into --out: ca.crt, server.crt, server.key (server
                certificate for the --san names and IPs), client.crt, client.key (unencrypted keys).
                --server-expired: the server certificate expired yesterday (for clients' tests).

        Exit codes: 0 success, 1 failure, 2 bad command line.

        """;
}
