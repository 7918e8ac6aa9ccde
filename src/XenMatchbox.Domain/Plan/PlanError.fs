namespace XenMatchbox.Domain

type PlanError =
    | ProfileWithoutKernel of profileId: string
    | InvalidAssetReference of profileId: string * reference: string * reason: string
    | UnknownVariable of variable: string * known: string list
    | TemplateCode of text: string
    | MalformedVariable of text: string * reason: string
    | VariableNotMac of variable: string * value: string
    | ArgsTooLong of bytes: int * limit: int
    | ArgsControlCharacter of source: string * character: string
    | ProfileArgsTooLarge of count: int * bytes: int

module PlanError =

    let explain error =
        match error with
        | ProfileWithoutKernel profileId ->
            { Code = "XMB-301"
              Cause = $"matchbox profile '{profileId}' has no boot.kernel"
              Fix = "set boot.kernel in the matchbox profile" }
        | InvalidAssetReference(profileId, reference, reason) ->
            { Code = "XMB-302"
              Cause = $"matchbox profile '{profileId}' names asset '{reference}', which {reason}"
              Fix = "use an http:// or https:// URL or a server path such as /assets/... in the profile" }
        | UnknownVariable(variable, known) ->
            let labels = if List.isEmpty known then "none" else String.concat ", " known
            { Code = "XMB-310"
              Cause = $"the profile's args use {variable} but there is no such label (labels known: {labels})"
              Fix = "add the label with --lookup key=value, or remove the variable from the profile's args" }
        | TemplateCode text ->
            { Code = "XMB-311"
              Cause = $"the profile's args contain template code {text}; only {{{{ .label }}}} is expanded"
              Fix = "replace it with a label reference such as {{ .mac }} or ${mac}" }
        | MalformedVariable(text, reason) ->
            { Code = "XMB-312"
              Cause = $"the profile's args contain {text}, which {reason}"
              Fix = "write variables as ${label}, ${label:hex}, ${label:hexhyp}, ${label:hexraw} or {{ .label }}" }
        | VariableNotMac(variable, value) ->
            { Code = "XMB-313"
              Cause = $"{variable} formats a MAC address but the label's value '{value}' is not one"
              Fix = "give that label a MAC address value, or drop the :hex/:hexhyp/:hexraw format" }
        | ArgsTooLong(bytes, limit) ->
            { Code = "XMB-314"
              Cause = $"the kernel command line is {bytes} bytes; Xen keeps only the first {limit} of a PV guest's"
              Fix =
                "shorten the profile's args (long URLs are the usual cause) or the domU config's extra=/cmdline= (libxl's --args), which is appended to them" }
        | ArgsControlCharacter(source, character) ->
            { Code = "XMB-315"
              Cause = $"{source} contains {character}, which cannot be part of a kernel command line"
              Fix = "remove the character from the profile's args (or from the domU config's extra/cmdline)" }
        | ProfileArgsTooLarge(count, bytes) ->
            { Code = "XMB-316"
              Cause =
                $"the profile's args come to {count} words of {bytes} bytes in all (split at spaces, as /ipxe and the kernel split them), far more than any kernel command line holds"
              Fix = "check the profile: its args list is not what a kernel command line can be" }
