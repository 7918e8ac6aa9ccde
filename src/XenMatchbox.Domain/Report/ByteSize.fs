module internal XenMatchbox.Domain.ByteSize

open System.Numerics

let private units = [ "KiB"; "MiB"; "GiB"; "TiB"; "PiB"; "EiB" ]

/// n divided by d, rounded half away from zero (both positive); integers, so exact at any size.
let private rounded (n: BigInteger) (d: BigInteger) = (n + d / BigInteger 2) / d

let iec (bytes: int64) =
    let bytes = max 0L bytes
    if bytes < 1024L then
        $"{bytes} B"
    else
        let count = BigInteger bytes
        let rec pick (unit: BigInteger) units =
            match units with
            | [] -> $"{bytes} B" // unreachable: an int64 is below 8 EiB
            | name :: larger ->
                let tenths = rounded (count * BigInteger 10) unit
                if tenths < BigInteger 1000 then
                    $"{tenths / BigInteger 10}.{tenths % BigInteger 10} {name}"
                else
                    let whole = rounded count unit
                    if whole < BigInteger 1024 || List.isEmpty larger then
                        $"{whole} {name}"
                    else
                        pick (unit * BigInteger 1024) larger
        pick (BigInteger 1024) units
