"""Words of the emergency detector: triggers per category and the cues around them.

Data only (regular expressions as strings); the logic lives in ``rules.py``.
To add a word, add it to the right ``Trigger`` pattern or cue below, add an
utterance to ``tests/nlu/data/emergency_positive.txt`` (or ``_negative.txt``),
and run ``python -m nlu.evaluate --emergency-only``.

Patterns run on normalised text (NFKC, lower case, ASR homophones fixed).
``NOT_NEG`` is a gap class that cannot hold a negation, so 胸口不疼 never matches
胸口…疼.
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_NEG = "[^不没未别无弗冇唔勿,，。！？!?\\s]"


@dataclass(frozen=True)
class Trigger:
    """One way an emergency is said.

    ``topic``: a disease name (中风, 心梗) that is also what people ask *about*;
    weak informational cues (危险吗, 是什么) suppress only topics, never symptoms.
    ``absolute``: fires whatever surrounds it (救命).
    ``unless``: a clause-level regex that marks a look-alike use (碗摔了).
    """

    category: str
    pattern: str
    topic: bool = False
    absolute: bool = False
    unless: str | None = None


# Cheap ASR homophone and spelling fixes (same length where possible).
HOMOPHONES: dict[str, str] = {
    "就命": "救命",
    "舅命": "救命",
    "救名": "救命",
    "救明": "救命",
    "幺二零": "120",
    "妖二零": "120",
    "腰二零": "120",
    "一二零": "120",
    "幺两零": "120",
    "跌到": "跌倒",
    "摔到": "摔倒",
    "晕到": "晕倒",
    "昏到": "昏倒",
    "中疯": "中风",
    "泄露": "泄漏",
    "喘不上起": "喘不上气",
    "没反映": "没反应",
    "抽畜": "抽搐",
    "一样化碳": "一氧化碳",
    "心机梗": "心肌梗",
    "口吐白末": "口吐白沫",
    "噎主": "噎住",
    "久命": "救命",
    "九九九": "999",
    # Cantonese (粤语) as typed or transcribed; applied before the triggers.
    "唔得": "不行",
    "跌低": "跌倒",
    "晕低": "晕倒",
    "瞓低": "倒下",
    "跌亲": "跌伤",
    "鲠亲": "噎住",
    "烫亲": "烫伤",
    "白车": "救护车",
    "生存落去": "活下去",
    "起唔到身": "起不来",
    "唞唔到气": "喘不上气",
    "唞气": "喘气",
    "嚟": "来",
    "唔": "不",
    "咗": "了",
    "喇": "了",
    "啲": "点",
}

DEVICE = "手机|电视|遥控|按钮|按了|屏幕|机器|设备|音箱|喇叭|网|电脑|软件|系统|机顶盒"

TRIGGERS: tuple[Trigger, ...] = (
    # --- call for help 呼救 ---
    Trigger("call_for_help", "救命(?!药|钱|恩人|稻草)", absolute=True),
    Trigger("call_for_help", "救救(我|他|她|我们|命|咱)|救我"),
    Trigger("call_for_help", "(我|人)(要|快)(要)?死了", unless="累|热|冷|饿|困|烦|笑|气|吓|闷|渴|疼死"),
    Trigger("call_for_help", "快来人|来人(啊|呀|哪|哇|啦)|快叫人|赶紧叫人|快喊人|来人救"),
    Trigger("call_for_help", "(打|叫|拨|喊|找).{0,3}(120|110|119|999|急救|救护车|消防车|警察)"),
    Trigger(
        "call_for_help",
        "(?<!\\d)(120|110|119|999)(?!\\d)",
        unless="血压|高压|低压|压|心率|心跳|脉搏|血糖|次|毫米|/|块|元|钱|号|路|斤|分|页|岁|\\d",
    ),
    Trigger("call_for_help", "救护车|消防车", unless="从|过去|声音|开过|好吵|响|费|钱"),
    Trigger(
        "call_for_help",
        "紧急|出(大)?事了|快来(啊|呀|人|帮)|快.{0,2}帮帮?我|快来帮忙|求救|呼救|sos|"
        "报警(?!器|通知|信息|短信|消息|记录|设置)|救下我|(叫|喊).{0,6}快来|快.{0,2}叫(人|车)",
        unless="联系人|设置|号码|电话是|演练|培训",
    ),
    Trigger("call_for_help", "快.{0,3}叫.{0,2}(医生|大夫)"),
    Trigger(
        "call_for_help",
        "(我|他|她|快|要|人|伴|妈|爸|爷|奶|婆|公)不行了|快不行了",
        unless=DEVICE,
    ),
    # --- falls 摔倒 ---
    Trigger("fall", "摔倒|跌倒|绊倒|滑倒|摔了?一跤|跌了?一跤|摔了?一下|跌了?一下|摔了个跟头|摔跟头"),
    Trigger("fall", "摔跤", unless="比赛|学|柔道|运动|节目|电视|演|选手"),
    Trigger("fall", "摔了", unless="[把碗杯盘碟瓶]|手机|东西|眼镜|遥控|摔了?(坏|碎)"),
    Trigger("fall", "(摔|跌|倒|躺|坐).{0,2}地上|摔下来|跌下来|滚下来|掉下(来|床)|摔着|摔伤|跌伤|摔断|骨折了"),
    Trigger("fall", "爬不起来|站不起来|起不来|起不到身", unless="早上|早晨|早起|起床|赖床|太早|早了"),
    Trigger("fall", "踩空|踏空|(老伴|人|他|她|妈|爸|奶奶|爷爷|老头|老太|外婆|外公).{0,2}倒了"),
    Trigger("fall", "(腰|腿|身子|人|胯|髋).{0,2}动不了|骨头断了"),
    Trigger("fall", "歪倒|栽倒|栽下来|栽了|一头栽|站都站不住|站不住|摔得动不了"),
    Trigger("fall", "倒在.{0,3}(地|卫生间|厕所|浴室|床|门口|路|楼梯|客厅|厨房|阳台)"),
    # --- chest pain 胸痛 ---
    Trigger("chest_pain", f"胸口{NOT_NEG}{{0,6}}(疼|痛|闷得|闷死|压|憋|发紧)|胸(疼|痛)"),
    Trigger("chest_pain", f"(心口|心脏|心窝){NOT_NEG}{{0,6}}(疼|痛)|心脏.{{0,3}}难受得"),
    Trigger("chest_pain", "胸闷.{0,4}(厉害|喘|憋|冷汗|出汗|受不了|透不过|上不来)"),
    Trigger("chest_pain", "心梗|心肌梗|心绞痛|心脏病.{0,2}(犯|发作)", topic=True),
    Trigger("chest_pain", "(救心丸|硝酸甘油).{0,8}(疼|痛|不管用|没用|不见好|没效果)"),
    # --- breathing 呼吸 ---
    Trigger(
        "breathing",
        "喘不(上|过|动|了|来)|上不来气|气上不来|透不过气|喘不过来|呼吸困难|呼吸不了|"
        "(没法|不能|没办法)呼吸|喘得厉害|喘得.{0,3}(躺不下|睡不了|不行)|憋死了|嘴唇.{0,2}(发紫|青紫)|脸.{0,2}(发紫|青紫)",
    ),
    Trigger("breathing", "憋气|憋得(慌|难受)", unless="心里|生气|受气|游泳|呼噜|打呼|睡觉"),
    # --- stroke signs 中风 ---
    # 嘴角没歪, 嘴巴弗歪: a negation between the words is no sign
    Trigger("stroke", f"嘴(巴)?{NOT_NEG}{{0,3}}歪|口角{NOT_NEG}{{0,2}}歪|嘴角{NOT_NEG}{{0,2}}歪|口眼歪斜|脸{NOT_NEG}{{0,2}}歪"),
    Trigger(
        "stroke",
        "(说话|讲话).{0,3}不清|说不清|讲不清|含糊不清|口齿不清|大舌头|说不出话|说不了话|"
        "舌头.{0,2}(不灵|发硬|不听使唤|打结)|说话不利索",
        unless="你|您|听不清|信号|口音|方言|再说|大声|声音|假牙|因为|嗓子|哑|感冒|喉咙",
    ),
    Trigger("stroke", "半边(身|脸|手|腿)|半身不遂"),
    Trigger(
        "stroke",
        "(左|右|一)(边|侧).{0,3}(身|胳膊|手|腿|脚|脸).{0,4}(没劲|没力|麻|不能动|动不了|抬不起)",
    ),
    Trigger("stroke", "(手|胳膊|腿|脚).{0,4}抬不起来|拿不住东西|不听使唤", unless="肩|疼|痛|酸"),
    Trigger("stroke", "手脚.{0,3}麻.{0,4}(抬不|没劲|没力|动不了|不能动)|突然.{0,3}手脚.{0,2}麻"),
    Trigger(
        "stroke",
        "突然.{0,6}(看不见|看不清|站不稳|不认人|认不出|糊涂)|说胡话|往一边倒|(看东西|看人|眼睛).{0,3}重影",
    ),
    Trigger("stroke", "不认(识)?人了|认不出人", unless="痴呆|一直|好几年|多年|老年"),
    Trigger(
        "stroke",
        "头.{0,3}(疼|痛).{0,4}(裂|炸)|头.{0,3}(要裂|炸了)|头痛欲裂|头.{0,2}(疼|痛)得(厉害|受不了|要命).{0,4}吐|"
        "突然.{0,2}头.{0,2}(疼|痛)得?(厉害|受不了)",
    ),
    Trigger("stroke", "中风|脑梗|脑溢血|脑出血|脑卒中|卒中", topic=True),
    # --- unconsciousness 意识丧失 ---
    Trigger(
        "unconscious",
        "晕倒|昏倒|(?<!头)晕过去|昏过去|昏迷|不省人事|人事不省|叫不醒|叫.{0,3}不醒|叫不起来|"
        "失去意识|没(有)?意识|虚脱|(人|脑子)(都)?糊涂了|神志不清|意识不清|(他|她|人|老伴|老人)(一动)?不动了|(失去|没有?)知觉|倒下(了|去|来)|人倒了|叫.{0,4}不(答应|应)|要晕倒|(晕|昏).{0,3}要倒|(?<!头)晕了|没(有)?气了",
    ),
    Trigger("unconscious", "没(有)?反应|没(有)?呼吸", unless=DEVICE),
    Trigger("unconscious", "心脏骤停|心跳.{0,2}停", topic=True),
    # --- severe symptoms 危重症状 (pain, extreme vital signs) ---
    Trigger(
        "severe_symptom",
        "剧痛|剧烈.{0,2}(疼|痛)|(疼|痛)得(打滚|直打滚|满地打滚)|从来没这么(疼|痛)过|"
        "心跳.{0,3}(特别|太|非常|好)(慢|快)",
    ),
    Trigger("severe_symptom", "(血压|高压).{0,3}(二百|两百|2[0-9]{2}(?![0-9]))"),
    # --- seizures 抽搐 ---
    Trigger(
        "seizure",
        "抽搐|抽风|口吐白沫|翻白眼|抽起来了|抽过去|羊癫疯|癫痫.{0,2}(发作|犯)|"
        "(手脚|浑身|全身|身子).{0,2}(乱抽|抽)|两眼发直",
    ),
    Trigger("seizure", "抽筋.{0,4}(口吐|白沫|翻白眼|叫不醒|没反应|倒)"),
    # --- heavy bleeding 大出血 ---
    Trigger(
        "bleeding",
        "流血不止|血流不止|血止不住|止不住.{0,2}血|大出血|吐血|咳血|呕血|便血|"
        "一直(在)?流血|(大便|小便|尿|痰|吐的|拉的).{0,3}(全是|都是|好多|很多)血|血.{0,4}(往外冒|直流|哗哗|冒个不停|喷)|流了.{0,2}(好多|很多|一地|一大摊)血|(流|出)了?(好多|很多)血|血流了一地",
    ),
    # --- poisoning and overdose 中毒 过量 ---
    Trigger(
        "poisoning",
        "吃错(了)?药|药吃错|药吃多了|药吃多啦|药吃过量|吃药过量|过量服药|药吃重了|当糖吃|"
        "多吃了.{0,2}(一次|一遍|一顿|一片|两片|几片|一粒|几粒|一回)|"
        "吃了.{0,4}(整瓶|一瓶|好多|很多|一把|好几|大把|一板).{0,5}(药|片|粒)|"
        "药.{0,2}(全|都|全部)吃了|(一瓶|整瓶|一盒|整盒|一板).{0,6}药.{0,2}(都|全)?吃了",
    ),
    Trigger(
        "poisoning",
        f"(胰岛素|药|针){NOT_NEG}{{0,2}}(打|吃|用|注射)(多|重|错)了|药.{{0,3}}吃了(两|二|三|好几)(回|次|遍|顿)|"
        "(喝|吃|误服|误食|服|吞).{0,3}(农药|老鼠药|鼠药|敌敌畏|百草枯|消毒水|消毒液|洗洁精|杀虫剂|84)",
    ),
    Trigger("poisoning", "(煤气|一氧化碳|燃气|天然气|农药|食物)?中毒(了|啦)?", topic=True),
    # --- suicidal words 轻生 ---
    Trigger(
        "suicide",
        "不想活(了|下去|着)?(?!动|跃)|活着.{0,3}没(意思|劲)|活不下去|想死(?!你|您|他|她|我|咱)|(想|要)去死|"
        "死了算了|不如死了|还不如死|一了百了|自杀|轻生|寻死|跳楼(?!价)|上吊|想不开了",
    ),
    # --- burns 烫伤 烧伤 ---
    Trigger("burn", "烫伤|烧伤(?!科)|被.{0,3}(烫|烧)(了|到|着|伤)|烫(起|出)了?.{0,3}泡|烫掉.{0,2}皮"),
    Trigger("burn", "(开水|热水|热油|滚油|火|油)烫(到|着|伤)"),
    Trigger("burn", "烫得(不行|受不了|厉害)|溅.{0,4}烫", unless="汤|饭|茶|菜|太烫|水太"),
    # --- choking 噎 ---
    Trigger(
        "choking",
        "噎(住|着|到)|(卡|堵)(住|着)了?.{0,6}(喘|气|说不出|紫)|吃.{0,4}(卡|堵)(住|着)|"
        "(喉咙|嗓子).{0,3}(卡|堵)",
    ),
    Trigger("choking", "咳不出来|吐不出来|咽不下去.{0,3}(喘|气)", unless="痰"),
    # --- fire and gas 火灾 燃气 ---
    Trigger("fire_gas", "着火|起火|失火|火灾|冒烟了|火(很|好|太)大|烧着了|浓烟"),
    Trigger("fire_gas", "烧起来了", unless="发烧|发冷|身上|体温|度|烧到|脸"),
    Trigger("fire_gas", "(全是|都是|满屋|满屋子|好大的|好多|很大的)烟", unless="抽烟|香烟|烟味|烟花"),
    Trigger("fire_gas", "臭鸡蛋味|漏气了", unless="轮胎|车胎|气球|自行车|车"),
    Trigger(
        "fire_gas",
        "(煤气|燃气|天然气|液化气)(泄漏|漏了|漏气|味|的味)|漏(煤|燃|天然)气|"
        "闻到.{0,3}(煤气|燃气|天然气|液化气)",
    ),
    # --- hypoglycaemia 低血糖 (the symptom cluster is checked in rules.py) ---
    Trigger("hypoglycaemia", "低血糖", topic=True),
    Trigger(
        "hypoglycaemia",
        "血糖.{0,2}(低得|太低|特别低|好低|测不出)|"
        "血糖(只有|才|就|降到|掉到|低到|是|测了|测出来)?([一二两12](点|\\.)|[一二两12]多)",
    ),
    # --- personal safety 人身安全, missing person 走失, injury 外伤 ---
    Trigger("safety", "闯进|有坏人|小偷|抢劫|撬门|被锁在.{0,5}出不来|困在.{0,5}出不来"),
    Trigger(
        "missing_person",
        "走丢|走失了|找不到人了|(老人|老伴|我妈|我爸|奶奶|爷爷|外婆|外公)不见了|"
        "(一直|还)没回来.{0,8}(电话|联系不上)|联系不上了|(出去|出门).{0,4}(一直|还|到现在)没回来",
    ),
    Trigger("injury", "被(狗|蛇|猫|车|马蜂|蜂).{0,2}(咬|撞|压|蛰|蜇)|车祸|被车撞|骨折"),
)

# Symptom groups of a hypoglycaemia episode: three of four groups fire.
HYPO_GROUPS: tuple[str, ...] = (
    "手抖|发抖|哆嗦|手.{0,2}抖",
    "冷汗|虚汗|出汗|冒汗",
    "心慌|心悸|心跳得厉害|心里发慌",
    "头晕|眼前发黑|眼发黑|饿得|没力气|发软",
)

# Clause boundaries: punctuation, spaces, and words that turn the sentence.
CLAUSE_SPLIT = "[,，。.!！?？;；:：、…~～\\s]+|但是|可是|(?<![透喘说比只受熬挺撑想睡])不过|然而|但"

# Mistakes of attention, not negation: 不小心摔倒了 is a fall.
MASKS = "怕是|恐怕|只怕|怕不是|一不小心|不小心|一不留神|不留神|没留神|没注意|没站稳|没扶住|没看清|没踩稳|没抓稳"

# Negation right before a trigger (at most one character between).
NEGATION = "没有|没|不是|不|未|并未|别|无|不用|不要|不必"

# The past: an event already over (去年摔过).
PAST = (
    "去年|前年|上次|上回|那次|那回|以前|之前|从前|过去|曾经|年轻时|年轻的时候|小时候|早年|"
    "早些年|前几年|前些年|几年前|年前|月前|上个月|上礼拜|上周|上星期|前几天|前些天|前两天|"
    "昨天|前天|那年|当年|有一次|有一回"
)

# The hypothetical and the feared (怕摔倒, 万一中风).
HYPOTHETICAL = (
    "怕|担心|担忧|万一|如果|要是|假如|假设|假使|一旦|防止|预防|防|避免|以防|小心|"
    "会不会|容易|的话|是否会"
)

# Habits, not events (老是起不来, 每次低血糖).
# 天天 but not the 天天 of 今天天气 (ASR text has no punctuation: 今天天气不错我摔倒了起不来).
HABITUAL = "老是|总是|经常|常常|每次|每回|平时|一般|有时候|有时|偶尔|时不时|(?<![今昨明前后])天天|老毛病|好几年|多年"

# Informational cues that silence any trigger in their clause.
INFO_STRONG = (
    "医保|报销|报不报|能报|报多少|保险|(?<!危)险|费用|多少钱|收费|花多少|补贴|讲座|培训|课|科普|知识|"
    "新闻|电视|广播|视频|文章|书上|听说|据说|前兆|征兆|先兆|症状|区别|为什么|导致|有哪些|"
    "吃什么药|吃什么好|康复|护理|恢复|风险|评估|报警器|检测|监测|手环|扶手|改造|膏|几楼|"
    "挂什么科|演练|急救方法|怎么急救|故事|什么病|一键呼叫|呼叫器|怎么装|安装|怎么设置"
)

# Weak informational cues: silence only topic triggers (心梗是不是很危险).
INFO_WEAK = "的人|病人|患者|怎么得的|怎么引起|怎么来的|什么原因|危险吗|是不是很危险|危险不危险|严重吗|是什么|什么是|怎么回事|会怎样|会怎么样|能治好吗|遗传"

# A long-standing condition right after a trigger (中风好几年了).
CHRONIC_AFTER = "好几年|好多年|很多年|多年|好些年|几年了|几十年|年了|老毛病"

# A present event: cancels an earlier past/hypothetical/habitual cue (去年摔过 今天又摔倒了).
PRESENT = "现在|刚才|刚刚|刚|突然|正在|这会儿|今天|今早|今晚|又|一下子"

# Urgency: the speaker needs help now, whatever else the clause says.
URGENT = "快来人|快叫|快打|赶紧叫|救救|受不了|不行了|要命|疼得厉害|痛得厉害"

# "Probably" (怕是脑梗了) is masked above, not read as fear.

# Someone starts a new sentence: an informational cue does not reach across it
# (明天的讲座几点 我老伴晕倒了: 讲座 belongs to another request).
NEW_SENTENCE = "我|俺|咱|老伴|老头|老太|他|她|帮我|请问|明天|后天|上午|下午|晚上"

# Resolution after a trigger (胸口疼 现在好多了).
RESOLVED = "已经好了|好多了|没事了|缓过来了|不疼了|不痛了|止住了|现在好了|恢复了"
