# Compiles platyPS-schema markdown (docs/en-US/<Cmdlet>.md, schema 2.0.0) to MAML, for machines
# where platyPS itself is not installed. It reads the sections platyPS writes: SYNOPSIS, SYNTAX
# (parameter-set headings), DESCRIPTION, EXAMPLES, PARAMETERS (each with its yaml block), INPUTS,
# OUTPUTS, NOTES and RELATED LINKS.

$script:MamlNs = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

function Read-PlatyPSMarkdown {
    <# Parses one platyPS markdown page into a plain object. #>
    param([Parameter(Mandatory)] [string] $Path)

    $lines = (Get-Content -LiteralPath $Path -Raw) -replace "`r`n", "`n" -split "`n"
    $i = 0
    $online = ''
    if ($lines[0] -eq '---') {
        $i = 1
        while ($i -lt $lines.Count -and $lines[$i] -ne '---') {
            if ($lines[$i] -match '^online version:\s*(\S*)') { $online = $Matches[1] }
            $i++
        }
        $i++
    }

    $doc = [ordered]@{
        Name = $null; Synopsis = ''; Description = ''; Notes = ''
        ParameterSets = [System.Collections.Generic.List[string]]::new()
        Examples = [System.Collections.Generic.List[object]]::new()
        Parameters = [System.Collections.Generic.List[object]]::new()
        Inputs = [System.Collections.Generic.List[object]]::new()
        Outputs = [System.Collections.Generic.List[object]]::new()
        Links = [System.Collections.Generic.List[object]]::new()
    }
    # As platyPS does, the page's online version is the first related link: Get-Help -Online opens it.
    if ($online) { $doc.Links.Add([pscustomobject]@{ Text = 'Online Version:'; Uri = $online }) }
    $section = $null
    $current = $null
    $text = [System.Text.StringBuilder]::new()
    $inFence = $false
    $fenceLang = ''
    $fence = [System.Text.StringBuilder]::new()

    $flush = {
        $body = $text.ToString().Trim()
        [void] $text.Clear()
        switch ($section) {
            'SYNOPSIS' { if ($body) { $doc.Synopsis = $body } }
            'DESCRIPTION' { if ($body) { $doc.Description = $body } }
            'NOTES' { if ($body) { $doc.Notes = $body } }
            { $_ -in 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS' } {
                if ($null -ne $current -and $body) {
                    $current.Text = (($current.Text, $body) | Where-Object { $_ }) -join "`n`n"
                }
            }
            'RELATED LINKS' {
                foreach ($m in [regex]::Matches($body, '\[([^\]]+)\]\(([^)]*)\)')) {
                    $doc.Links.Add([pscustomobject]@{ Text = $m.Groups[1].Value; Uri = $m.Groups[2].Value })
                }
            }
        }
    }

    for (; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($inFence) {
            if ($line -match '^```\s*$') {
                $inFence = $false
                $code = $fence.ToString().TrimEnd()
                [void] $fence.Clear()
                if ($section -eq 'PARAMETERS' -and $fenceLang -eq 'yaml' -and $null -ne $current) {
                    # platyPS writes one yaml block per group of parameter sets in which a parameter differs
                    # (say, required in one set and optional in another); Meta is the first block.
                    $block = @{}
                    foreach ($kv in $code -split "`n") {
                        if ($kv -match '^([^:]+):\s*(.*)$') { $block[$Matches[1].Trim()] = $Matches[2].Trim() }
                    }
                    $current.Blocks.Add($block)
                    if ($current.Blocks.Count -eq 1) { foreach ($key in $block.Keys) { $current.Meta[$key] = $block[$key] } }
                }
                elseif ($section -eq 'EXAMPLES' -and $null -ne $current) {
                    $current.Code = (($current.Code, $code) | Where-Object { $_ }) -join "`n"
                }
                continue
            }
            [void] $fence.AppendLine($line)
            continue
        }
        if ($line -match '^```(\w*)') {
            & $flush
            $inFence = $true
            $fenceLang = $Matches[1]
            continue
        }
        if ($line -match '^# (\S+)\s*$' -and -not $doc.Name) { $doc.Name = $Matches[1]; continue }
        if ($line -match '^## (.+?)\s*$') {
            & $flush
            $section = $Matches[1].ToUpperInvariant()
            $current = $null
            continue
        }
        if ($line -match '^### (.+?)\s*$') {
            & $flush
            $heading = $Matches[1]
            switch ($section) {
                'SYNTAX' { $doc.ParameterSets.Add(($heading -replace '\s*\(Default\)\s*$', '')) }
                'EXAMPLES' { $current = [pscustomobject]@{ Title = $heading; Code = ''; Text = '' }; $doc.Examples.Add($current) }
                'PARAMETERS' {
                    if ($heading -eq 'CommonParameters') { $current = $null }
                    else {
                        $current = [pscustomobject]@{ Name = $heading.TrimStart('-'); Text = ''; Meta = @{}; Blocks = [System.Collections.Generic.List[hashtable]]::new() }
                        $doc.Parameters.Add($current)
                    }
                }
                'INPUTS' { $current = [pscustomobject]@{ Type = $heading; Text = '' }; $doc.Inputs.Add($current) }
                'OUTPUTS' { $current = [pscustomobject]@{ Type = $heading; Text = '' }; $doc.Outputs.Add($current) }
            }
            continue
        }
        [void] $text.AppendLine($line)
    }
    & $flush
    [pscustomobject]$doc
}

function Test-WebUri {
    param([string] $Uri)
    $parsed = $null
    [uri]::TryCreate($Uri, [UriKind]::Absolute, [ref] $parsed) -and $parsed.Scheme -in 'http', 'https'
}

function Add-MamlParas {
    param([System.Xml.XmlDocument] $Xml, [System.Xml.XmlElement] $Parent, [string] $Text)
    $paras = @(($Text -replace "`r", '') -split "`n\s*`n" | ForEach-Object { ($_ -split "`n" | ForEach-Object Trim) -join ' ' } | Where-Object { $_ })
    if (-not $paras) { $paras = @('') }
    foreach ($p in $paras) {
        $para = $Xml.CreateElement('maml', 'para', $script:MamlNs.maml)
        $para.InnerText = $p
        [void] $Parent.AppendChild($para)
    }
}

function New-MamlElement {
    param([System.Xml.XmlDocument] $Xml, [string] $QualifiedName, [string] $Text)
    $prefix, $local = $QualifiedName -split ':', 2
    $element = $Xml.CreateElement($prefix, $local, $script:MamlNs[$prefix])
    if ($PSBoundParameters.ContainsKey('Text')) { $element.InnerText = $Text }
    $element
}

function New-MamlParameter {
    param([System.Xml.XmlDocument] $Xml, $Parameter, [hashtable] $Meta = $Parameter.Meta)
    $meta = $Meta
    $type = if ($meta['Type']) { $meta['Type'] } else { 'Object' }
    $isSwitch = $type -eq 'SwitchParameter'
    $e = New-MamlElement $Xml 'command:parameter'
    $e.SetAttribute('required', ([string]($meta['Required'] -match '^True')).ToLowerInvariant())
    $e.SetAttribute('variableLength', ([string]($type -like '*[[]]')).ToLowerInvariant())
    $e.SetAttribute('globbing', ([string]($meta['Accept wildcard characters'] -match '^True')).ToLowerInvariant())
    $e.SetAttribute('pipelineInput', $(if ($meta['Accept pipeline input']) { $meta['Accept pipeline input'] } else { 'False' }))
    $e.SetAttribute('position', $(if ($meta['Position'] -and $meta['Position'] -ne 'Named') { $meta['Position'] } else { 'named' }))
    $e.SetAttribute('aliases', $(if ($meta['Aliases']) { $meta['Aliases'] } else { 'none' }))
    [void] $e.AppendChild((New-MamlElement $Xml 'maml:name' $Parameter.Name))
    $description = New-MamlElement $Xml 'maml:description'
    Add-MamlParas $Xml $description $Parameter.Text
    [void] $e.AppendChild($description)
    if (-not $isSwitch) {
        $value = New-MamlElement $Xml 'command:parameterValue' $type
        $value.SetAttribute('required', 'true')
        $value.SetAttribute('variableLength', 'false')
        [void] $e.AppendChild($value)
    }
    $devType = New-MamlElement $Xml 'dev:type'
    [void] $devType.AppendChild((New-MamlElement $Xml 'maml:name' $type))
    [void] $devType.AppendChild((New-MamlElement $Xml 'maml:uri'))
    [void] $e.AppendChild($devType)
    [void] $e.AppendChild((New-MamlElement $Xml 'dev:defaultValue' $(if ($meta['Default value']) { $meta['Default value'] } else { 'None' })))
    $e
}

function ConvertTo-MamlHelp {
    <#
    .SYNOPSIS
        Compiles platyPS markdown pages into one MAML help file.
    #>
    param(
        [Parameter(Mandatory)] [string[]] $MarkdownPath,
        [Parameter(Mandatory)] [string] $OutputPath
    )

    $xml = [System.Xml.XmlDocument]::new()
    [void] $xml.AppendChild($xml.CreateXmlDeclaration('1.0', 'utf-8', $null))
    $root = $xml.CreateElement('helpItems', 'http://msh')
    $root.SetAttribute('schema', 'maml')
    [void] $xml.AppendChild($root)

    foreach ($file in $MarkdownPath | Sort-Object) {
        $doc = Read-PlatyPSMarkdown -Path $file
        if (-not $doc.Name -or $doc.Name -notmatch '^(\w+)-(\w+)$') { throw "$file has no '# Verb-Noun' title." }
        $verb, $noun = $doc.Name -split '-', 2

        $command = New-MamlElement $xml 'command:command'
        foreach ($prefix in 'maml', 'command', 'dev') { $command.SetAttribute("xmlns:$prefix", $script:MamlNs[$prefix]) }
        [void] $root.AppendChild($command)

        $details = New-MamlElement $xml 'command:details'
        [void] $details.AppendChild((New-MamlElement $xml 'command:name' $doc.Name))
        [void] $details.AppendChild((New-MamlElement $xml 'command:verb' $verb))
        [void] $details.AppendChild((New-MamlElement $xml 'command:noun' $noun))
        $synopsis = New-MamlElement $xml 'maml:description'
        Add-MamlParas $xml $synopsis $doc.Synopsis
        [void] $details.AppendChild($synopsis)
        [void] $command.AppendChild($details)

        $description = New-MamlElement $xml 'maml:description'
        Add-MamlParas $xml $description $doc.Description
        [void] $command.AppendChild($description)

        $syntax = New-MamlElement $xml 'command:syntax'
        $sets = if ($doc.ParameterSets.Count) { $doc.ParameterSets } else { @('(All)') }
        foreach ($set in $sets) {
            $item = New-MamlElement $xml 'command:syntaxItem'
            [void] $item.AppendChild((New-MamlElement $xml 'maml:name' $doc.Name))
            foreach ($p in $doc.Parameters) {
                $blocks = if ($p.Blocks.Count) { $p.Blocks } else { @($p.Meta) }
                foreach ($block in $blocks) {
                    $memberOf = @(($block['Parameter Sets'] -split ',') | ForEach-Object Trim)
                    if ($set -eq '(All)' -or $memberOf -contains '(All)' -or $memberOf -contains $set) {
                        [void] $item.AppendChild((New-MamlParameter $xml $p $block))
                        break
                    }
                }
            }
            [void] $syntax.AppendChild($item)
        }
        [void] $command.AppendChild($syntax)

        $parameters = New-MamlElement $xml 'command:parameters'
        foreach ($p in $doc.Parameters) { [void] $parameters.AppendChild((New-MamlParameter $xml $p)) }
        [void] $command.AppendChild($parameters)

        foreach ($kind in @(@('command:inputTypes', 'command:inputType', $doc.Inputs), @('command:returnValues', 'command:returnValue', $doc.Outputs))) {
            $list = New-MamlElement $xml $kind[0]
            foreach ($entry in $kind[2]) {
                $node = New-MamlElement $xml $kind[1]
                $devType = New-MamlElement $xml 'dev:type'
                [void] $devType.AppendChild((New-MamlElement $xml 'maml:name' $entry.Type))
                [void] $node.AppendChild($devType)
                $d = New-MamlElement $xml 'maml:description'
                Add-MamlParas $xml $d $entry.Text
                [void] $node.AppendChild($d)
                [void] $list.AppendChild($node)
            }
            [void] $command.AppendChild($list)
        }

        if ($doc.Notes) {
            $alertSet = New-MamlElement $xml 'maml:alertSet'
            $alert = New-MamlElement $xml 'maml:alert'
            Add-MamlParas $xml $alert $doc.Notes
            [void] $alertSet.AppendChild($alert)
            [void] $command.AppendChild($alertSet)
        }

        $examples = New-MamlElement $xml 'command:examples'
        foreach ($ex in $doc.Examples) {
            $example = New-MamlElement $xml 'command:example'
            [void] $example.AppendChild((New-MamlElement $xml 'maml:title' "-------------------------- $($ex.Title) --------------------------"))
            [void] $example.AppendChild((New-MamlElement $xml 'dev:code' $ex.Code))
            $remarks = New-MamlElement $xml 'dev:remarks'
            Add-MamlParas $xml $remarks $ex.Text
            [void] $example.AppendChild($remarks)
            [void] $examples.AppendChild($example)
        }
        [void] $command.AppendChild($examples)

        $links = New-MamlElement $xml 'command:relatedLinks'
        foreach ($l in $doc.Links) {
            $nav = New-MamlElement $xml 'maml:navigationLink'
            [void] $nav.AppendChild((New-MamlElement $xml 'maml:linkText' $l.Text))
            # Get-Help -Online opens the first link with a URI, so only a web address is one; a link to another
            # page ([Get-FaceEmbedding]() or [Get-FaceEmbedding](Get-FaceEmbedding.md)) is just its name.
            [void] $nav.AppendChild((New-MamlElement $xml 'maml:uri' $(if (Test-WebUri $l.Uri) { $l.Uri } else { '' })))
            [void] $links.AppendChild($nav)
        }
        [void] $command.AppendChild($links)
    }

    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $writer = [System.Xml.XmlWriter]::Create($OutputPath, $settings)
    try { $xml.Save($writer) } finally { $writer.Dispose() }
}

function ConvertTo-AboutHelpText {
    <#
    .SYNOPSIS
        Compiles an about_ topic written as platyPS about markdown (# about_Name, ## SHORT DESCRIPTION,
        ## LONG DESCRIPTION, ## SEE ALSO, ...) to the plain text Get-Help shows: headings in capitals at the
        margin, text indented by four, code blocks by eight, markdown marks removed.
    #>
    param(
        [Parameter(Mandatory)] [string] $MarkdownPath,
        [Parameter(Mandatory)] [string] $OutputPath
    )

    $lines = (Get-Content -LiteralPath $MarkdownPath -Raw -Encoding UTF8) -replace "`r`n", "`n" -split "`n"
    $out = [System.Collections.Generic.List[string]]::new()
    $inFence = $false
    foreach ($line in $lines) {
        if ($line -match '^```') { $inFence = -not $inFence; continue }
        if ($inFence) { $out.Add($(if ($line.Trim()) { '        ' + $line } else { '' })); continue }
        if ($line -match '^# (about_\w+)\s*$') { $out.Add('TOPIC'); $out.Add('    ' + $Matches[1]); continue }
        if ($line -match '^#{2,} (.+?)\s*$') { $out.Add($Matches[1].ToUpperInvariant()); continue }
        $text = $line -replace '`([^`]+)`', '$1' -replace '\*\*([^*]+)\*\*', '$1' -replace '\[([^\]]+)\]\([^)]*\)', '$1'
        $out.Add($(if ($text.Trim()) { '    ' + $text.TrimEnd() } else { '' }))
    }

    [System.IO.File]::WriteAllText($OutputPath, (($out -join [Environment]::NewLine).TrimEnd() + [Environment]::NewLine), [System.Text.UTF8Encoding]::new($false))
}
