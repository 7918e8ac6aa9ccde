/// Sizes as people read them (check's free space and cache, show's asset sizes, progress): IEC
/// units, powers of 1024. Machine-readable output (show --json) keeps the raw byte count.
module internal XenMatchbox.Domain.ByteSize

/// A byte count in IEC units: "512 B", "64.0 MiB", "75.8 GiB", "1023 KiB", "8.0 EiB". The rule:
/// below 1024 the exact count in B; else the largest unit (KiB, MiB, GiB, TiB, PiB, EiB) whose
/// rounded value is below 1024, with one decimal below 100 and none from 100 on, rounded half away
/// from zero, so the number before the unit never has more than 4 characters (at most 3
/// significant digits once a unit is used). A negative count is shown as 0 B. Monotonic: more
/// bytes never show a smaller size.
val iec: bytes: int64 -> string
