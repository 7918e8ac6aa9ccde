module internal XenMatchbox.Domain.Boot

open XenMatchbox.Domain.Cache
open XenMatchbox.Domain.CommandLine
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Profile

type AssetRole =
    | Kernel
    | Ramdisk

let roleName role =
    match role with
    | Kernel -> "kernel"
    | Ramdisk -> "ramdisk"

type IdentityRead =
    | BeforeLookup
    | WhenArgsNeedIt

type ProgressMode =
    | Silent
    | Redrawn
    | Summaries

type Preparation =
    { OpenResultFile: bool
      CreateDirectory: string option
      Identity: IdentityRead
      DropTo: (string list * int) option
      LinkCachedFiles: bool
      Cache: CacheSettings option
      CacheWritable: bool
      Progress: ProgressMode
      LookupKeys: string list
      AssetKeys: string list }

let prepare (settings: Settings) standardOutputIsTerminal =
    let boot = settings.Action = Install
    { OpenResultFile = boot
      CreateDirectory = if settings.Action = Stage then Some settings.OutputDirectory else None
      Identity =
        if not settings.Lookup.FromDomain.IsEmpty || settings.RunAs.IsSome then BeforeLookup else WhenArgsNeedIt
      DropTo =
        match settings.RunAs with
        | Some uid when boot -> Some([ roleName Kernel; roleName Ramdisk ], uid)
        | _ -> None
      LinkCachedFiles = boot
      Cache = if settings.Action = DryRun then None else settings.Cache
      CacheWritable = settings.RunAs.IsNone
      Progress =
        if settings.Quiet || settings.Action = DryRun then Silent
        // A boot without --output writes its result to standard output: no redrawing there.
        elif standardOutputIsTerminal && not (boot && settings.Output.IsNone) then Redrawn
        else Summaries
      LookupKeys = if settings.Server.Client.IsNone then settings.Trust.LookupKeys else []
      AssetKeys = if settings.Trust.VerifyAssets then settings.Trust.AssetKeys else [] }

type LookupRoute =
    | Grpc of host: string * endpoint: string
    | Ipxe of host: string * endpoint: string * url: string

let route (server: ServerSettings) host labels =
    let shown = hostForUrl host
    match server.Client with
    | Some _ -> Grpc(host, $"{shown}:{server.GrpcPort}")
    | None ->
        let scheme = if server.WebSsl then "https" else "http"
        let endpoint = $"{scheme}://{shown}:{server.HttpPort}/ipxe"
        Ipxe(host, endpoint, $"{endpoint}?{Ipxe.query labels}")

let routes (server: ServerSettings) labels =
    server.Servers.Hosts |> List.map (fun host -> route server host labels)

let routeHost route =
    match route with
    | Grpc(host, _)
    | Ipxe(host, _, _) -> host

let routeServer route =
    match route with
    | Grpc(_, endpoint)
    | Ipxe(_, endpoint, _) -> endpoint

let lookupSignature route =
    match route with
    | Grpc _ -> None
    | Ipxe(_, _, url) ->
        Profile.resolveAsset { Host = ""; Port = 0; Secure = false } "(lookup)" url
        |> Result.toOption
        |> Option.map Trust.signatureUrl

let describeRoute route =
    match route with
    | Grpc(_, endpoint) -> $"gRPC {endpoint}"
    | Ipxe(_, _, url) -> $"HTTP {url}"

let missingDomainLabel labels (profile: UnvalidatedProfile) =
    Template.references profile.Args
    |> List.tryFind (fun key -> List.contains key DomainKeys && (tryFind key labels).IsNone)

type Download = { Role: AssetRole; Urls: AssetUrl list; Target: string; MaxBytes: int64 }

let plannedUrls (downloads: Download list) = downloads |> List.collect _.Urls |> List.map _.Shown

let recentUrls (downloads: Download list) =
    downloads
    |> List.choose (fun download ->
        match download.Urls with
        | [ url ] -> Some url.Shown
        | _ -> None)

type Probe = { Role: DryRun.Probed; Url: AssetUrl }

type Work =
    | Install of downloads: Download list * result: byte array * keep: string list
    | Stage of downloads: Download list * stanza: string * keep: string list
    | Show of probes: Probe list * format: DryRun.ReportFormat

type RunPlan =
    { Route: LookupRoute
      AnsweredBy: string option
      Labels: Labels
      BootPlan: BootPlan
      Result: byte array
      Work: Work }

let private downloads (settings: Settings) (plan: BootPlan) =
    [ { Role = Kernel
        Urls = [ plan.Kernel ]
        Target = plan.KernelPath
        MaxBytes = settings.Limits.MaxKernelBytes }
      match plan.RamdiskPath with
      | Some ramdisk ->
          { Role = Ramdisk
            Urls = plan.Initrds
            Target = ramdisk
            MaxBytes = settings.Limits.MaxRamdiskBytes }
      | None -> () ]

let create (settings: Settings) route labels expansion profile =
    let httpBase = { Host = routeHost route; Port = settings.Server.HttpPort; Secure = settings.Server.WebSsl }
    Profile.create httpBase settings.OutputDirectory expansion settings.ConfigArgs profile
    |> Result.bind (fun plan ->
        Output.render
            settings.OutputFormat
            { Kernel = plan.KernelPath; Ramdisk = plan.RamdiskPath; Args = plan.CommandLine }
        |> Result.bind (fun result ->
            let fetch = downloads settings plan
            let keep = fetch |> List.map _.Target
            let work =
                match settings.Action with
                | CommandLine.Install -> Ok(Install(fetch, result, keep))
                | CommandLine.Stage ->
                    let stanza: Stanza.StanzaInput =
                        { Kernel = plan.KernelPath; Ramdisk = plan.RamdiskPath; Cmdline = plan.CommandLine }
                    Stanza.render stanza |> Result.map (fun text -> Stage(fetch, text, keep))
                | CommandLine.DryRun ->
                    let probes =
                        { Role = DryRun.Probed.Kernel; Url = plan.Kernel }
                        :: (plan.Initrds |> List.map (fun url -> { Role = DryRun.Probed.Initrd; Url = url }))
                    Ok(Show(probes, settings.Report))
            work
            |> Result.map (fun work ->
                { Route = route
                  AnsweredBy = if settings.Server.Servers.Hosts.Length > 1 then Some(routeServer route) else None
                  Labels = labels
                  BootPlan = plan
                  Result = result
                  Work = work })))

let foundLine run =
    let from = run.AnsweredBy |> Option.map (fun server -> $" from {server}") |> Option.defaultValue ""
    $"profile {run.BootPlan.ProfileId} matches {display run.Labels}{from}"

let readyLine run =
    match run.Work with
    | Install _ ->
        let ramdisk = run.BootPlan.RamdiskPath |> Option.map (fun r -> ", ramdisk " + r) |> Option.defaultValue ""
        Some $"kernel {run.BootPlan.KernelPath}{ramdisk} ready"
    | Stage _
    | Show _ -> None

let report
    release
    (settings: Settings)
    run
    lookupSigner
    lookupAge
    (found: (Probe * DryRun.Head * DryRun.Vouching) list)
    : DryRun.Report =
    { Release = release
      LookupVia = describeRoute run.Route
      LookupSigner = lookupSigner
      LookupAge = lookupAge
      Labels = run.Labels
      Floor = settings.Trust.HostFloor
      BootPlan = run.BootPlan
      Assets =
        found
        |> List.map (fun (probe, head, signature) ->
            ({ Role = probe.Role; Url = probe.Url; Head = head; Signature = signature }: DryRun.AssetSize))
      MaxKernelBytes = settings.Limits.MaxKernelBytes
      MaxRamdiskBytes = settings.Limits.MaxRamdiskBytes
      Format = settings.OutputFormat
      Output = run.Result }
