// The Domain members (Type:method) the shell's IL calls (call, callvirt, newobj, ldftn, ldvirtftn),
// one line each, for bench/crossings.sh; with --sites, one line per call site instead.
open System
open System.IO
open System.Reflection.Metadata
open System.Reflection.Metadata.Ecma335
open System.Reflection.PortableExecutable
let path = fsi.CommandLineArgs[1]
let perSite = Array.contains "--sites" fsi.CommandLineArgs
let pe = new PEReader(File.OpenRead path)
let md = pe.GetMetadataReader()
let rec typeName (h: EntityHandle) =
    match h.Kind with
    | HandleKind.TypeReference ->
        let t = md.GetTypeReference(TypeReferenceHandle.op_Explicit h)
        let scope = t.ResolutionScope
        let outer, asm =
            match scope.Kind with
            | HandleKind.TypeReference -> let (o, a) = typeName scope in o + "+", a
            | HandleKind.AssemblyReference -> (let ns = md.GetString t.Namespace in if ns = "" then "" else ns + "."), md.GetString(md.GetAssemblyReference(AssemblyReferenceHandle.op_Explicit scope).Name)
            | _ -> "", ""
        outer + md.GetString t.Name, asm
    | HandleKind.TypeSpecification ->
        // generic instantiation: read the generic type definition from the blob
        let spec = md.GetTypeSpecification(TypeSpecificationHandle.op_Explicit h)
        let mutable br = md.GetBlobReader spec.Signature
        // SignatureTypeCode.GenericTypeInstance (0x15), then class/valuetype, then the definition.
        let b = br.ReadByte()
        if b = 0x15uy then
            br.ReadByte() |> ignore // class/valuetype
            let inner = br.ReadTypeHandle()
            typeName inner
        else "", ""
    | _ -> "", ""
let found = Collections.Generic.List<string>()
let memberOf (token: int) =
    let h = MetadataTokens.EntityHandle token
    match h.Kind with
    | HandleKind.MemberReference ->
        let m = md.GetMemberReference(MemberReferenceHandle.op_Explicit h)
        Some(m.Parent, md.GetString m.Name)
    | HandleKind.MethodSpecification ->
        let s = md.GetMethodSpecification(MethodSpecificationHandle.op_Explicit h)
        if s.Method.Kind = HandleKind.MemberReference then
            let m = md.GetMemberReference(MemberReferenceHandle.op_Explicit s.Method)
            Some(m.Parent, md.GetString m.Name)
        else None
    | _ -> None
for mh in md.MethodDefinitions do
    let m = md.GetMethodDefinition mh
    if m.RelativeVirtualAddress <> 0 then
        let body = pe.GetMethodBody m.RelativeVirtualAddress
        // Walk the opcodes: those carrying a method token count, the others are skipped by operand size.
        let mutable reader = body.GetILReader()
        while reader.RemainingBytes > 0 do
            let mutable op = int (reader.ReadByte())
            if op = 0xFE then op <- 0xFE00 ||| int (reader.ReadByte())
            match op with
            | 0x28 | 0x6F | 0x73 | 0xFE06 | 0xFE07 ->
                let token = reader.ReadInt32()
                match memberOf token with
                | Some(parent, name) ->
                    let t, asm = typeName parent
                    if asm = "XenMatchbox.Domain" then found.Add($"{t}:{name}") |> ignore
                | None -> ()
            // operand sizes of every other opcode
            | 0x20 | 0x22 | 0x21 | 0x23 | 0x29 | 0x38 | 0x39 | 0x3A | 0x3B | 0x3C | 0x3D | 0x3E | 0x3F | 0x40 | 0x41 | 0x42 | 0x43 | 0x44 | 0xDD
            | 0x70 | 0x71 | 0x72 | 0x74 | 0x75 | 0x79 | 0x7B | 0x7C | 0x7D | 0x7E | 0x7F | 0x80 | 0x81 | 0x8C | 0x8D | 0x8F | 0xA3 | 0xA4 | 0xA5 | 0xC2 | 0xC6 | 0xD0 | 0x27 | 0xFE15 | 0xFE16 | 0xFE1C ->
                // 4-byte operands (ldc.i4, ldc.r4 is 4, ldc.i8/ldc.r8 are 8)
                if op = 0x21 || op = 0x23 then reader.ReadInt64() |> ignore else reader.ReadInt32() |> ignore
            | 0x45 -> let n = reader.ReadInt32() in for _ in 1..n do reader.ReadInt32() |> ignore
            | 0x0E | 0x0F | 0x10 | 0x11 | 0x12 | 0x13 | 0x1F | 0x2B | 0x2C | 0x2D | 0x2E | 0x2F | 0x30 | 0x31 | 0x32 | 0x33 | 0x34 | 0x35 | 0x36 | 0x37 | 0xDE | 0xFE12 | 0xFE19 ->
                reader.ReadByte() |> ignore
            | 0xFE09 | 0xFE0A | 0xFE0B | 0xFE0C | 0xFE0D | 0xFE0E -> reader.ReadInt16() |> ignore
            | _ -> ()
for f in (if perSite then Seq.sort found else Seq.distinct found |> Seq.sort) do
    printfn "%s" f
