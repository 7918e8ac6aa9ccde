module internal XenMatchbox.Domain.Mac

[<Sealed>]
type MacAddress(octets: byte array) =
    member _.Octets = octets
    override _.Equals other =
        match other with
        | :? MacAddress as mac -> mac.Octets = octets
        | _ -> false
    override _.GetHashCode() = hash octets

let private isHex (c: char) = System.Uri.IsHexDigit c

let private octetsOfHex (digits: string) =
    if digits.Length = 12 && Seq.forall isHex digits then
        Some(Array.init 6 (fun i -> System.Convert.ToByte(digits.Substring(2 * i, 2), 16)))
    else
        None

/// Six groups of two hex digits joined by one separator.
let private separated (separator: char) (text: string) =
    let groups = text.Split separator
    if groups.Length = 6 && groups |> Array.forall (fun g -> g.Length = 2) then
        octetsOfHex (System.String.Concat groups)
    else
        None

/// Cisco style: three groups of four hex digits joined by dots.
let private dotted (text: string) =
    let groups = text.Split '.'
    if groups.Length = 3 && groups |> Array.forall (fun g -> g.Length = 4) then
        octetsOfHex (System.String.Concat groups)
    else
        None

let tryParse (text: string) =
    let octets =
        match text.Length with
        | 17 when text.[2] = ':' -> separated ':' text
        | 17 when text.[2] = '-' -> separated '-' text
        | 14 -> dotted text
        | 12 -> octetsOfHex text
        | _ -> None
    octets |> Option.map MacAddress

let private join (separator: string) (mac: MacAddress) =
    mac.Octets |> Array.map (fun b -> b.ToString "x2") |> String.concat separator

let canonical mac = join ":" mac
let hexhyp mac = join "-" mac
let hexraw mac = join "" mac
