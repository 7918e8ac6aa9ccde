// xenmatchbox-testserver: `serve` a matchbox data directory, or write test `certs`.
return await XenMatchbox.TestServer.Cli.RunAsync(args);
