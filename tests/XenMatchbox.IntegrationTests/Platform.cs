using System.Runtime.Versioning;

// libxl, and so everything these tests imitate, is Linux only.
[assembly: SupportedOSPlatform("linux")]
