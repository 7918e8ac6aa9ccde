/// A signed /ipxe answer gets old: matchbox signs each answer as it renders it, so the signature's
/// date is the answer's age, and one older than --lookup-max-age (plus the clock skew XMB-709
/// allows the other way) is an answer replayed, XMB-712. The flag's bounds and where it is set.
module LookupAgeTests

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators

let private now = DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero)
let private url = "http://mb:8080/ipxe?mac=52%3A54%3A00%3Aaa%3Abb%3Acc"
let private signed = Signed.Lookup url

let private key: Trust.KeyPacket =
    { KeyId = 0x0123456789ABCDEFUL
      Fingerprint = "89ABCDEF0123456789ABCDEF0123456789ABCDEF"
      Created = now.AddYears -1
      Algorithm = 1 }

/// The key as a key file holds it: certified to sign by its own self-signature.
let private keyring =
    let selfSignature: Trust.CertificationFacts =
        { Type = 0x13
          Created = key.Created
          Hash = 10
          Verified = true
          KeyExpiresAfter = None
          ExpiresAfter = None
          Flags = Some Trust.SignFlag
          Critical = None
          Back = None }
    Trust.keyring
        [ { Primary = key
            Direct = []
            UserIds = [ "matchbox <ops@example.com>", [ selfSignature ] ]
            Subkeys = [] } ]

let private signer: Trust.Signer =
    { KeyId = "0123456789ABCDEF"
      Fingerprint = key.Fingerprint
      Primary = key.Fingerprint
      UserId = "matchbox <ops@example.com>"
      Mode = Trust.Text }

let private skew = float Trust.ClockSkewSeconds

let private checkAge maxAge (signedAt: DateTimeOffset) = Trust.checkAge now maxAge signed signer signedAt

let private codeOf result =
    match result with
    | Ok _ -> "ok"
    | Error error -> code error

/// A boot's whole judgement of a lookup signature's dates: the key and dates (choose), then, for a
/// signature whose bytes matched, the age.
let private judge maxAge (signedAt: DateTimeOffset) =
    let signature: Trust.Signature =
        { Type = 0x01
          Issuer = Some key.KeyId
          IssuerFingerprint = None
          Hash = 8
          Created = signedAt
          ExpiresAfter = None
          Critical = None }
    Trust.choose now signed "http://mb:8080/ipxe.sig?mac=52%3A54%3A00%3Aaa%3Abb%3Acc" "--lookup-key" keyring signature
    |> Result.bind (fun signer -> Trust.checkAge now maxAge signed signer signedAt)

/// --lookup-max-age anywhere within its bounds, the ends often.
let private maxAges =
    Gen.frequency
        [ 1, Gen.constant Limits.MinLookupMaxAgeSeconds
          1, Gen.constant Limits.MaxLookupMaxAgeSeconds
          1, Gen.constant Limits.DefaultLookupMaxAgeSeconds
          5, Gen.choose (Limits.MinLookupMaxAgeSeconds, Limits.MaxLookupMaxAgeSeconds) ]

/// Milliseconds, for clocks that are not on a whole second.
let private milliseconds = Gen.choose (0, 999) |> Gen.map float

[<Property>]
let ``an answer signed within max-age plus the skew before the clock is taken, with its age and the limit`` () =
    let cases =
        maxAges
        |> Gen.bind (fun maxAge -> Gen.choose (0, maxAge + Trust.ClockSkewSeconds) |> Gen.map (fun age -> maxAge, age))
    Prop.forAll (arb cases) (fun (maxAge, age) ->
        match checkAge maxAge (now.AddSeconds(float -age)) with
        | Ok found ->
            Expect.equal "age" (int64 age) found.Seconds
            Expect.equal "limit" maxAge found.MaxSeconds
            Expect.equal "when" (now.AddSeconds(float -age)) found.SignedAt
        | Error error -> Expect.fail $"age {age} s under {maxAge} s: {Expect.shown error}")

[<Property>]
let ``at exactly max-age, and at max-age plus the skew, an answer is still taken; a moment later it is XMB-712`` () =
    Prop.forAll (arb maxAges) (fun maxAge ->
        let limit = float maxAge
        Expect.equal "exactly max-age" "ok" (codeOf (checkAge maxAge (now.AddSeconds -limit)))
        Expect.equal "exactly max-age plus the skew" "ok" (codeOf (checkAge maxAge (now.AddSeconds(-(limit + skew)))))
        Expect.equal
            "a tick beyond"
            "XMB-712"
            (codeOf (checkAge maxAge (now.AddSeconds(-(limit + skew)).AddTicks -1L)))
        Expect.equal "a second beyond" "XMB-712" (codeOf (checkAge maxAge (now.AddSeconds(-(limit + skew + 1.0))))))

[<Property>]
let ``an answer older than max-age plus the skew is XMB-712, exit 8, naming its age, the limit and the fix`` () =
    let cases = Gen.zip3 maxAges (Gen.choose (1, 100_000_000)) milliseconds
    Prop.forAll (arb cases) (fun (maxAge, beyond, ms) ->
        let age = float maxAge + skew + float beyond
        let signedAt = now.AddSeconds(-age).AddMilliseconds(-ms)
        match checkAge maxAge signedAt with
        | Error error ->
            Expect.equal "code" "XMB-712" (code error)
            Expect.equal "exit status" 8 (exitCode error)
            let line = describe error
            Expect.contains
                "names the answer and the key"
                $"the lookup answer {url} was signed by {Trust.describe signer}"
                line
            Expect.contains "names the age" $"{int64 age} s before dom0's clock (on {Trust.instantText signedAt})" line
            Expect.contains "names the limit" $"beyond --lookup-max-age {maxAge} s" line
            Expect.contains "says what it is" "an old answer replayed" line
            Expect.contains "fix: the clocks" "check dom0's and matchbox's clocks" line
            Expect.contains "fix: the limit" "raise --lookup-max-age" line
        | Ok found -> Expect.fail $"{age} s old under {maxAge} s was taken: %A{found}")

[<Property>]
let ``a signature from the future is never XMB-712: within the skew it is taken, beyond it XMB-709 refuses it`` () =
    let cases = Gen.zip3 maxAges (Gen.choose (0, 100_000_000)) milliseconds
    Prop.forAll (arb cases) (fun (maxAge, ahead, ms) ->
        let signedAt = now.AddSeconds(float ahead).AddMilliseconds ms
        Expect.equal "the age rule alone" "ok" (codeOf (checkAge maxAge signedAt))
        let expected = if signedAt > now.AddSeconds skew then "XMB-709" else "ok"
        Expect.equal $"{ahead} s ahead" expected (codeOf (judge maxAge signedAt)))

[<Property>]
let ``raising --lookup-max-age never refuses an answer a lower one took`` () =
    let cases = Gen.zip3 maxAges maxAges (Gen.choose (-1000, 200_000))
    Prop.forAll (arb cases) (fun (a, b, age) ->
        let lower, higher = min a b, max a b
        let signedAt = now.AddSeconds(float -age)
        let underLower, underHigher = codeOf (checkAge lower signedAt), codeOf (checkAge higher signedAt)
        Expect.isTrue
            $"{age} s: {underLower} under {lower} s, {underHigher} under {higher} s"
            (underLower <> "ok" || underHigher = "ok"))

[<Fact>]
let ``a signature dated ahead of the clock within the skew has a negative age`` () =
    match checkAge 300 (now.AddSeconds 12.0) with
    | Ok found -> Expect.equal "seconds" -12L found.Seconds
    | Error error -> Expect.fail (Expect.shown error)

// ---- the flag ----

[<Property>]
let ``--lookup-max-age is whole seconds from its least to its most; anything else is XMB-117 naming where it came from``
    ()
    =
    let texts =
        Gen.oneof
            [ Gen.choose (Limits.MinLookupMaxAgeSeconds, Limits.MaxLookupMaxAgeSeconds) |> Gen.map string
              Gen.choose (Limits.MaxLookupMaxAgeSeconds + 1, Int32.MaxValue) |> Gen.map string
              Gen.elements [ "0"; "-1"; "+5"; " 60"; "5m"; "1e3"; ""; "300.0"; "99999999999999999999" ] ]
    Prop.forAll (arb texts) (fun text ->
        let valid =
            match
                Int64.TryParse(text, Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture)
            with
            | true, n when n >= int64 Limits.MinLookupMaxAgeSeconds && n <= int64 Limits.MaxLookupMaxAgeSeconds ->
                Some(int n)
            | _ -> None
        match valid, Limits.parseMaxAge "lookup-max-age (/etc/xen/xenmatchbox.conf line 4)" text with
        | Some n, Ok parsed -> Expect.equal "seconds" n parsed
        | None, Ok parsed -> Expect.fail $"'{text}' parsed as {parsed}"
        | Some n, Error error -> Expect.fail $"'{text}' ({n}) refused: {Expect.shown error}"
        | None, Error error ->
            Expect.equal "code" "XMB-117" (code error)
            Expect.equal "exit status" 2 (exitCode error)
            Expect.contains
                "names the source, the value and the bounds"
                $"lookup-max-age (/etc/xen/xenmatchbox.conf line 4) '{text}' is not a whole number of seconds from {Limits.MinLookupMaxAgeSeconds} to {Limits.MaxLookupMaxAgeSeconds}"
                (describe error))

let private bootArgv extra =
    [ "--output=/var/lib/xen/bootloader.7.out"
      "--output-directory=/var/lib/xen/bootloader.7.d"
      "--lookup=mac=52:54:00:aa:bb:cc" ]
    @ extra
    @ [ "/dev/vg0/guest" ]

let private run (variables: (string * string) list) (config: string option) (argv: string list) =
    CommandLine.parseIn
        { Environment = fun name -> variables |> List.tryFind (fun (n, _) -> n = name) |> Option.map snd
          OwnVariables = variables |> List.map fst
          ConfigFile = config |> Option.map (fun text -> "/etc/xen/xenmatchbox.conf", text)
          HostConfigFile = None
          Examiner = None }
        (List.toArray argv)

let private maxAgeOf variables config argv =
    match run variables config argv with
    | Ok(CommandLine.Run settings) -> settings.Trust.LookupMaxAgeSeconds
    | other -> Expect.fail $"expected settings, got %A{other}"

[<Property(MaxTest = 100)>]
let ``--lookup-max-age comes from the command line, else the environment, else the file, else 300 s; the command line may only shorten the host's``
    ()
    =
    let seconds = Gen.choose (Limits.MinLookupMaxAgeSeconds, Limits.MaxLookupMaxAgeSeconds) |> Gen.optionOf
    Prop.forAll (arb (Gen.zip3 seconds seconds seconds)) (fun (onArgv, inEnvironment, inFile) ->
        let argv = onArgv |> Option.map (fun s -> [ $"--lookup-max-age={s}" ]) |> Option.defaultValue []
        let variables =
            inEnvironment |> Option.map (fun s -> [ "XENMATCHBOX_LOOKUP_MAX_AGE", string s ]) |> Option.defaultValue []
        let config = inFile |> Option.map (fun s -> $"lookup-max-age = {s}\n")
        let argv = bootArgv ("--server=mb" :: argv)
        match onArgv, inEnvironment |> Option.orElse inFile with
        | Some given, Some host when given > host ->
            match run variables config argv with
            | Error(CommandLine(TrustWeakened("--lookup-max-age", value, _))) ->
                Expect.equal "value" (string given) value
            | other -> Expect.fail $"expected XMB-119, got %A{other}"
        | _ ->
            let expected =
                onArgv
                |> Option.orElse inEnvironment
                |> Option.orElse inFile
                |> Option.defaultValue Limits.DefaultLookupMaxAgeSeconds
            Expect.equal "max age" expected (maxAgeOf variables config argv))

[<Fact>]
let ``a bad --lookup-max-age names the file's line or the variable it came from`` () =
    match run [] (Some "server = mb\nlookup-max-age = 0\n") (bootArgv []) with
    | Error(CommandLine(InvalidMaxAge(source, "0", _, _))) ->
        Expect.equalText "lookup-max-age (/etc/xen/xenmatchbox.conf line 2)" source
    | other -> Expect.fail $"expected XMB-117, got %A{other}"
    match run [ "XENMATCHBOX_LOOKUP_MAX_AGE", "90000" ] None (bootArgv [ "--server=mb" ]) with
    | Error(CommandLine(InvalidMaxAge(source, "90000", _, _))) -> Expect.equalText "XENMATCHBOX_LOOKUP_MAX_AGE" source
    | other -> Expect.fail $"expected XMB-117, got %A{other}"
