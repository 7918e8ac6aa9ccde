using System.Runtime.Versioning;
using XenMatchbox.App;

// A Xen dom0 tool: Linux only (file modes, signals).
[assembly: SupportedOSPlatform("linux")]

// xenmatchbox: the program libxl runs as bootloader= for a PV or PVH domU.
SystemTrust.DeferLoading();
return await BootCommand.RunAsync(args);
